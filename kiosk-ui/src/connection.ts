// The terminal's pushes over socket.io: the `state` to render and the PIN
// pad's navigation keys. While the terminal is away (restarting under the
// UI) the view is kept and `connected` is false: the App says so and waits.
import { useEffect, useState } from 'react';
import { io } from 'socket.io-client';
import type { KioskView, NavigationKey } from '@nongbao/protocol';

type KeyListener = (key: NavigationKey) => void;
const keyListeners = new Set<KeyListener>();

/** PIN pad keys outside PIN entry (navigation.ts listens). */
export function onPadKey(listener: KeyListener): () => void {
  keyListeners.add(listener);
  return () => keyListeners.delete(listener);
}

export function useKioskConnection(): { view: KioskView | null; connected: boolean } {
  const [view, setView] = useState<KioskView | null>(null);
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    const socket = io({ transports: ['websocket'] });
    socket.on('connect', () => setConnected(true));
    socket.on('disconnect', () => setConnected(false));
    socket.on('state', (next: KioskView) => setView(next));
    socket.on('key', (key: NavigationKey) => {
      for (const listener of keyListeners) listener(key);
    });
    return () => {
      socket.close();
    };
  }, []);
  return { view, connected };
}
