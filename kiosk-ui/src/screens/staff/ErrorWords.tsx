// A fault in plain words with what to do about it, from the one error
// register (protocol errors.ts, issue 13 section 1): the UI never shows a
// bare code to staff.
import { ERROR_REGISTER } from '@nongbao/protocol/errors';
import type { Translate } from '../../i18n.js';

export function ErrorWords({ code, t }: { code: number; t: Translate }) {
  const entry = ERROR_REGISTER.get(code);
  if (!entry) return <span className="error-words">{t('staff.unknownError', { code })}</span>;
  return (
    <span className="error-words" data-code={code}>
      <strong>{t(`error.${entry.messageKey}`)}</strong>
      <span className="action">{t('staff.whatToDo', { action: t(`action.${entry.action}`) })}</span>
    </span>
  );
}
