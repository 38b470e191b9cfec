// The kiosk's spoken prompts, by key (issue 12 section 3): one for each
// screen, the idle countdown's warning and a refused touch. The words are the
// dictionaries' `voice.<key>` entries; the audio is synthesized at build time
// (prompts/render.ts) or recorded by a county (`nongbao prompts import`),
// one file per language and key. No DOM and no zod here: the CLI imports it.
import { KIOSK_SCREENS } from '@nongbao/protocol/local-api-names';

export const SCREEN_PROMPT_KEYS = KIOSK_SCREENS.map((screen) => `screen.${screen}` as const);
export const PROMPT_KEYS: readonly string[] = [...SCREEN_PROMPT_KEYS, 'countdown', 'refused'];
