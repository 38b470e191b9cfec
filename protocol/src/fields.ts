// Field schemas shared by every message.
import { z } from 'zod';

export const terminalIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{2,63}$/, 'lowercase letters, digits and dashes, 3-64 long');
export const citizenNumberSchema = z.string().regex(/^\d{17}[\dX]$/, '18 characters: 17 digits then a digit or X');
export const uuidV7Schema = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'a lowercase UUIDv7');
/** Integer fen (1 yuan = 100 fen), never a float. */
export const fenSchema = z.number().int().safe();
export const isoDateTimeSchema = z.iso.datetime({ offset: true });
export const isoDateSchema = z.iso.date();
export const monthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month YYYY-MM');
export const villageCodeSchema = z.string().min(1).max(32);
export const cardNumberSchema = z.string().regex(/^[0-9A-Z]{6,20}$/);
/** The `v` every message carries; the gateway answers other versions with `unsupported-version`. */
export const versionSchema = z.literal(1);
