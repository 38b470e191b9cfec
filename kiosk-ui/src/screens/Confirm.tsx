// "Confirm my pension" (issue 12 section 1): the latest months, each with
// "I received it" (proof of life, with a photo where the kiosk has a camera)
// and "I did not receive it" (a complaint the county office sees with the
// month and the amount). One decision per screen: the camera is its own step.
import { useEffect, useRef, useState } from 'react';
import { api } from '../api.js';
import { closeCamera, hasCamera, openCamera, takePhoto } from '../camera.js';
import { BigButton, Heading, yuan } from '../ui.js';
import type { ScreenProps } from './types.js';

function CameraStep({ month, t }: { month: string | null; t: ScreenProps<'confirm'>['t'] }) {
  const video = useRef<HTMLVideoElement>(null);
  const [stream, setStream] = useState<MediaStream | null>(null);
  useEffect(() => {
    let opened: MediaStream | null = null;
    let gone = false;
    void openCamera().then((s) => {
      opened = s;
      if (gone) closeCamera(s);
      else if (!s) void api.certify(month, null); // the camera failed: card and PIN alone
      else setStream(s);
    });
    return () => {
      gone = true;
      closeCamera(opened);
    };
  }, [month]);
  useEffect(() => {
    if (video.current && stream) {
      video.current.srcObject = stream;
      void video.current.play().catch(() => undefined);
    }
  }, [stream]);
  const take = async () => {
    const photo = video.current ? takePhoto(video.current) : null;
    closeCamera(stream);
    await api.certify(month, photo);
  };
  return (
    <div className="center camera-step">
      <Heading>{stream ? t('camera.title') : t('camera.wait')}</Heading>
      <video ref={video} className="camera-preview" muted playsInline aria-hidden="true" data-testid="camera-preview" />
      <BigButton choice kind="primary" icon="camera" label={t('camera.take')} testId="take-photo" disabled={!stream} onPress={take} />
      <BigButton back icon="back" label={t('nav.back')} testId="back" onPress={() => api.action('back')} />
    </div>
  );
}

export function Confirm({ view, t }: ScreenProps<'confirm'>) {
  const [camera, setCamera] = useState<{ month: string | null } | null>(null);
  const received = async (month: string | null) => {
    if (await hasCamera()) setCamera({ month });
    else await api.certify(month, null);
  };
  if (camera) return <CameraStep month={camera.month} t={t} />;
  return (
    <div className="confirm">
      <Heading>{t('confirm.title')}</Heading>
      {view.refusal && <p className="notice" data-testid="confirm-refusal">{t(view.refusal)}</p>}
      {view.months.length === 0 && <p>{t('confirm.none')}</p>}
      <ul className="months">
        {view.months.map((m) => (
          <li key={m.month} className="month-row" data-testid={`month-${m.month}`}>
            <span className="month-label">
              {t('confirm.month', { month: m.month, amount: yuan(t, m.totalFen) })} {m.status !== 'paid' && t(`month.${m.status}`)}
            </span>
            {m.status === 'paid' && (
              <span className="month-actions">
                {view.canConfirm && <BigButton choice kind="primary" icon="check" label={t('confirm.received')} testId={`received-${m.month}`} onPress={() => received(m.month)} />}
                {view.canComplain && <BigButton choice kind="danger" icon="cross" label={t('confirm.notReceived')} testId={`not-received-${m.month}`} onPress={() => api.complaint(m.month)} />}
              </span>
            )}
          </li>
        ))}
      </ul>
      {view.canConfirm && !view.months.some((m) => m.status === 'paid') && (
        <BigButton choice kind="primary" icon="check" label={t('confirm.certifyOnly')} testId="certify-only" onPress={() => received(null)} />
      )}
      <BigButton back icon="back" label={t('nav.back')} testId="back" onPress={() => api.action('back')} />
    </div>
  );
}
