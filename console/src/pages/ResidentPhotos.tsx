// A resident's proof-of-life photos to review (issue 14 "Residents"; POLICY.md
// "Proof of life": "a photo is taken for review"): the photos kiosks took at
// their certifications (GET /certification-photos?citizenNumber=), newest
// first; the newest few are opened (GET /certification-photos/{id}) and
// shown beside the date, the kiosk and what the server could not open.
import type { CertificationPhotoInfo } from '@nongbao/server/api-types';
import { useConsole } from '../app/context.js';
import { shanghaiTime } from '../app/format.js';
import { useLoad } from '../app/use-load.js';
import { ErrorBox, Loading, Section } from '../components/Status.js';

/** Photos opened on the page at once (each is up to a few hundred KB); older ones are listed. */
export const PHOTOS_SHOWN = 4;

type Photo = CertificationPhotoInfo & { jpegBase64: string | null };

function PhotoFigure({ photo }: { photo: Photo | CertificationPhotoInfo }) {
  const { t } = useConsole();
  const jpeg = 'jpegBase64' in photo ? photo.jpegBase64 : null;
  const caption = t('photos.caption', { date: photo.certifiedOn, terminal: photo.terminalId, received: shanghaiTime(photo.receivedAt) });
  return (
    <figure className="photo" data-testid={`photo-${photo.certificationId}`}>
      {jpeg ? <img src={`data:image/jpeg;base64,${jpeg}`} alt={t('photos.alt', { date: photo.certifiedOn })} /> : null}
      <figcaption>
        {caption}
        {photo.problem ? (
          <strong className="error-text" data-testid={`photo-problem-${photo.certificationId}`}>
            {' '}
            {t(`photos.problem.${photo.problem}`)}
          </strong>
        ) : null}
      </figcaption>
    </figure>
  );
}

export function ResidentPhotos({ citizenNumber }: { citizenNumber: string }) {
  const { api, t } = useConsole();
  const loaded = useLoad(async () => {
    const { photos } = await api.get<{ photos: CertificationPhotoInfo[] }>('/certification-photos', { citizenNumber });
    const opened = await Promise.all(photos.slice(0, PHOTOS_SHOWN).map((p) => api.get<Photo>(`/certification-photos/${p.certificationId}`)));
    return [...opened, ...photos.slice(PHOTOS_SHOWN)];
  }, [api, citizenNumber]);
  const photos = loaded.data ?? [];
  return (
    <Section title={t('photos.title', { count: photos.length })} testId="resident-photos">
      <ErrorBox error={loaded.error} />
      <Loading when={loaded.loading && !loaded.data}>
        {photos.length === 0 ? <p data-testid="no-photos">{t('photos.none')}</p> : <div className="photos">{photos.map((p) => <PhotoFigure key={p.certificationId} photo={p} />)}</div>}
      </Loading>
    </Section>
  );
}
