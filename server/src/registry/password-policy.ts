// How strong an office user's password must be (issue 10 section 6). An
// operator can pay out and settle deaths, so the password is what stands
// between a guesser and the fund; the login limits (login-limits.ts) slow
// guessing down, this makes the first guesses useless. The rules, checked in
// this order, the first broken one named in the error:
// - PASSWORD_MIN_LENGTH to PASSWORD_MAX_LENGTH characters (code points after
//   NFKC, as hashed);
// - not a common password, nor a common word with digits or signs after it
//   (`password123`, `nongbao2024!`): the lists guessers try first;
// - not containing the user name;
// - below PASSWORD_MIXED_BELOW_LENGTH characters, at least two kinds of
//   character (lowercase, uppercase, digits, anything else): a long phrase
//   of lowercase words is strong, a short word of one kind is not;
// - at least PASSWORD_MIN_DISTINCT_CHARACTERS different characters.
// The demo's `nongbao-demo` passes (12 characters, letters and a dash).

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 200;
export const PASSWORD_MIXED_BELOW_LENGTH = 16;
export const PASSWORD_MIN_DISTINCT_CHARACTERS = 5;

export type PasswordWeakness = 'too-short' | 'too-long' | 'common' | 'contains-username' | 'one-kind-of-character' | 'too-few-distinct-characters';

/** Whole passwords from the top of the leaked-password lists (lowercase). */
const COMMON_PASSWORDS = new Set([
  '1234567890',
  '0123456789',
  '1q2w3e4r5t',
  '1qaz2wsx3edc',
  'qwertyuiop',
  'asdfghjkl;',
  'zxcvbnm,./',
  'a1234567890',
  '1234567890a',
  'abc1234567',
  'abcd123456',
  'aa12345678',
  'qwer123456',
  'zxcvbnm123',
  '5201314520',
  'iloveyou123',
  'woaini1314',
]);

/** Words that, with digits or signs after them, are still among the first guesses (lowercase). */
const COMMON_STEMS = new Set([
  'password',
  'passw0rd',
  'p@ssw0rd',
  'p@ssword',
  'qwerty',
  'qwertyuiop',
  'admin',
  'administrator',
  'root',
  'welcome',
  'letmein',
  'iloveyou',
  'woaini',
  'changeme',
  'abc',
  'abcdef',
  'abcdefg',
  'abcdefgh',
  'nongbao',
  'shebao',
  'operator',
  'auditor',
]);

/** What is wrong with `password` for `username`, or undefined when it is strong enough. */
export function passwordWeakness(password: string, username: string): { weakness: PasswordWeakness; message: string } | undefined {
  const normalized = password.normalize('NFKC');
  const characters = [...normalized];
  if (characters.length < PASSWORD_MIN_LENGTH) {
    return { weakness: 'too-short', message: `password: at least ${PASSWORD_MIN_LENGTH} characters (this one has ${characters.length})` };
  }
  if (characters.length > PASSWORD_MAX_LENGTH) {
    return { weakness: 'too-long', message: `password: at most ${PASSWORD_MAX_LENGTH} characters` };
  }
  const lower = normalized.toLowerCase();
  if (COMMON_PASSWORDS.has(lower) || COMMON_STEMS.has(lower.replace(/[^\p{L}]+$/u, ''))) {
    return { weakness: 'common', message: 'password: too common (among the first passwords a guesser tries); choose another' };
  }
  if (username.length > 0 && lower.includes(username.toLowerCase())) {
    return { weakness: 'contains-username', message: 'password: must not contain the user name' };
  }
  if (characters.length < PASSWORD_MIXED_BELOW_LENGTH && characterKinds(normalized) < 2) {
    return {
      weakness: 'one-kind-of-character',
      message: `password: under ${PASSWORD_MIXED_BELOW_LENGTH} characters it must mix at least two kinds: lowercase, uppercase, digits, other signs`,
    };
  }
  if (new Set(characters).size < PASSWORD_MIN_DISTINCT_CHARACTERS) {
    return { weakness: 'too-few-distinct-characters', message: `password: at least ${PASSWORD_MIN_DISTINCT_CHARACTERS} different characters` };
  }
  return undefined;
}

function characterKinds(password: string): number {
  const kinds = [/\p{Ll}/u, /\p{Lu}/u, /\p{Nd}/u, /[^\p{Ll}\p{Lu}\p{Nd}]/u];
  return kinds.filter((kind) => kind.test(password)).length;
}
