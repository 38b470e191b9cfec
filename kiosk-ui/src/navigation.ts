// Keyboard and PIN-pad-only use of every screen (issue 12 section 3): the
// arrow keys move between the screen's choices, a number key (or a PIN pad
// digit) picks the n-th choice, Enter confirms the focused one, Escape (or
// the pad's Cancel) goes back. Choices are the buttons marked data-choice,
// in the order the screen lists them; "back" is the one marked data-back.
import { useEffect } from 'react';
import type { NavigationKey } from '@nongbao/protocol';
import { onPadKey } from './connection.js';

function choices(): HTMLElement[] {
  return [...document.querySelectorAll<HTMLElement>('main [data-choice]:not([disabled])')];
}

function moveFocus(step: number): void {
  const list = choices();
  if (list.length === 0) return;
  const at = list.indexOf(document.activeElement as HTMLElement);
  const next = at === -1 ? (step > 0 ? 0 : list.length - 1) : (at + step + list.length) % list.length;
  list[next]!.focus();
}

function pick(n: number): void {
  const target = choices()[n - 1];
  if (target) {
    target.focus();
    target.click();
  }
}

function back(): void {
  document.querySelector<HTMLElement>('main [data-back]:not([disabled])')?.click();
}

function confirm(): void {
  const focused = document.activeElement as HTMLElement | null;
  if (focused && focused !== document.body && focused.matches('button:not([disabled])')) focused.click();
  else choices()[0]?.focus();
}

/** Installs the handlers; a screen that takes digits itself (the PIN keypad) passes `digitsTaken`. */
export function useKeyNavigation(digitsTaken: boolean): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'ArrowDown' || event.key === 'ArrowRight') moveFocus(1);
      else if (event.key === 'ArrowUp' || event.key === 'ArrowLeft') moveFocus(-1);
      else if (event.key === 'Escape') back();
      else if (!digitsTaken && /^[1-9]$/.test(event.key)) pick(Number(event.key));
      else return;
      event.preventDefault();
    };
    const onPad = (key: NavigationKey) => {
      if (key.key === 'enter') confirm();
      else if (key.key === 'cancel') back();
      else if (key.key === 'backspace' || key.key === 'clear') moveFocus(1);
      else if (key.key === 'digit' && key.digit !== undefined && key.digit > 0) pick(key.digit);
    };
    window.addEventListener('keydown', onKey);
    const offPad = onPadKey(onPad);
    return () => {
      window.removeEventListener('keydown', onKey);
      offPad();
    };
  }, [digitsTaken]);
}
