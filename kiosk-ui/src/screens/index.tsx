// One file per screen (issue 12 section 4); this table says which component
// draws each screen of the protocol and which prompt it speaks.
import type { ComponentType } from 'react';
import type { KioskScreenName } from '@nongbao/protocol/local-api-names';
import type { KioskView } from '@nongbao/protocol';
import type { Translate } from '../i18n.js';
import { Account } from './Account.js';
import { Certified } from './Certified.js';
import { ComplaintFiled } from './ComplaintFiled.js';
import { Confirm } from './Confirm.js';
import { Help } from './Help.js';
import { Idle } from './Idle.js';
import { Loading } from './Loading.js';
import { Menu } from './Menu.js';
import { Message } from './Message.js';
import { Paying } from './Paying.js';
import { Pin } from './Pin.js';
import { Publicity } from './Publicity.js';
import { Reading } from './Reading.js';
import { Receipt } from './Receipt.js';
import { Staff } from './Staff.js';
import { TakeCard } from './TakeCard.js';
import { Tiers } from './Tiers.js';
import type { ScreenProps } from './types.js';

export const SCREENS: { [S in KioskScreenName]: ComponentType<ScreenProps<S>> } = {
  idle: Idle,
  reading: Reading,
  pin: Pin,
  loading: Loading,
  menu: Menu,
  account: Account,
  tiers: Tiers,
  paying: Paying,
  receipt: Receipt,
  confirm: Confirm,
  certified: Certified,
  'complaint-filed': ComplaintFiled,
  publicity: Publicity,
  help: Help,
  'take-card': TakeCard,
  staff: Staff,
  message: Message,
};

/** Draws the view's screen with its component. */
export function Screen({ view, t }: { view: KioskView; t: Translate }) {
  const Component = SCREENS[view.screen] as ComponentType<{ view: KioskView; t: Translate }>;
  return <Component view={view} t={t} />;
}

/** The prompt a screen speaks. */
export function screenPrompt(screen: KioskScreenName): string {
  return `screen.${screen}`;
}
