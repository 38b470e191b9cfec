// The office API for what residents ask at kiosks (issue 12 section 1):
// "I did not receive it" complaints and help requests, which the county
// office takes in hand and settles, and the proof-of-life photos kiosks took,
// for review. The office console draws them (a later issue).
import { z } from 'zod';
import { uuidV7Schema } from '@nongbao/protocol';
import { CertificationPhotos, KioskRequests, PhotoKey, REQUEST_KINDS, REQUEST_STATES } from '../kiosk/index.js';
import type { SqlDatabase } from '../sql/types.js';
import { ApiError } from './errors.js';
import { citizenNumberField } from '../registry/inputs.js';
import type { HandlerOutput, RouteSpec } from './routes.js';

const json = (status: number, body: unknown): HandlerOutput => ({ status, json: body });

export const kioskRequestsQuerySchema = z.strictObject({
  state: z.enum(REQUEST_STATES).optional(),
  kind: z.enum(REQUEST_KINDS).optional(),
});
export const kioskRequestStateSchema = z.strictObject({
  state: z.enum(['in-hand', 'settled']),
  note: z.string().trim().min(4).max(500),
});
export const certificationPhotosQuerySchema = z.strictObject({ citizenNumber: citizenNumberField.optional() });
const requestParams = z.strictObject({ requestId: uuidV7Schema });
const photoParams = z.strictObject({ certificationId: uuidV7Schema });

export function kioskRoutes(db: SqlDatabase, requests: KioskRequests = new KioskRequests(db)): RouteSpec[] {
  const photos = new CertificationPhotos(db, new PhotoKey(db));
  return [
    {
      method: 'get',
      path: '/kiosk-requests',
      summary: "Residents' requests from kiosks, newest first: pension complaints (month, amount paid) and help requests, by state and kind",
      access: 'auditor',
      query: kioskRequestsQuerySchema,
      success: { status: 200, description: '{ requests: KioskRequest[] }' },
      handler: ({ query }) => json(200, { requests: requests.list(query as z.infer<typeof kioskRequestsQuerySchema>) }),
    },
    {
      method: 'post',
      path: '/kiosk-requests/:requestId/state',
      summary: "Take a resident's request in hand or settle it, saying what was done in `note` (forward only: open -> in-hand -> settled)",
      access: 'operator',
      params: requestParams,
      body: kioskRequestStateSchema,
      success: { status: 200, description: 'KioskRequest' },
      handler: ({ params, body, user }) => {
        const { requestId } = params as { requestId: string };
        const b = body as z.infer<typeof kioskRequestStateSchema>;
        const changed = requests.setState(requestId, b.state, user?.username ?? 'unknown', b.note, new Date().toISOString());
        if (changed.ok) return json(200, changed.request);
        if (changed.problem === 'not-found') throw new ApiError(404, 'not-found', `no kiosk request ${requestId}`, 'requestId');
        throw new ApiError(409, 'state-conflict', `the request is ${changed.state}: it cannot become ${b.state}`, 'state');
      },
    },
    {
      method: 'get',
      path: '/certification-photos',
      summary: "Proof-of-life photos taken at kiosks, newest first (?citizenNumber= for one resident's; without the images; problem names one the server could not open)",
      access: 'auditor',
      query: certificationPhotosQuerySchema,
      success: { status: 200, description: '{ photos: CertificationPhotoInfo[] }' },
      handler: ({ query }) => json(200, { photos: photos.list(undefined, (query as z.infer<typeof certificationPhotosQuerySchema>).citizenNumber ?? null) }),
    },
    {
      method: 'get',
      path: '/certification-photos/:certificationId',
      summary: 'One proof-of-life photo for review: the JPEG as base64 with the certification it belongs to',
      access: 'auditor',
      params: photoParams,
      success: { status: 200, description: 'CertificationPhotoInfo with jpegBase64 (null when the photo could not be opened)' },
      handler: ({ params }) => {
        const { certificationId } = params as { certificationId: string };
        const photo = photos.get(certificationId);
        if (!photo) throw new ApiError(404, 'not-found', `no photo for certification ${certificationId}`, 'certificationId');
        const { jpeg, ...rest } = photo;
        return json(200, { ...rest, jpegBase64: jpeg ? jpeg.toString('base64') : null });
      },
    },
  ];
}
