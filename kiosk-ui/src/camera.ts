// The kiosk camera for proof of life (issue 12 section 1): getUserMedia
// where there is a camera; a small JPEG (the protocol carries at most 24
// KiB) is taken from the video. Without a camera, or when it fails, the
// person certifies with card and PIN alone.

/** The photo's size: enough to recognise a face at the office, small enough to travel. */
export const PHOTO_WIDTH_PX = 320;
export const PHOTO_HEIGHT_PX = 240;
const PHOTO_BYTES_LIMIT = 24 * 1024;
const QUALITIES = [0.7, 0.5, 0.35, 0.2];

export async function hasCamera(): Promise<boolean> {
  if (!navigator.mediaDevices?.enumerateDevices) return false;
  try {
    return (await navigator.mediaDevices.enumerateDevices()).some((d) => d.kind === 'videoinput');
  } catch {
    return false;
  }
}

export async function openCamera(): Promise<MediaStream | null> {
  try {
    return await navigator.mediaDevices.getUserMedia({ video: { width: PHOTO_WIDTH_PX, height: PHOTO_HEIGHT_PX }, audio: false });
  } catch {
    return null;
  }
}

export function closeCamera(stream: MediaStream | null): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

/** A JPEG of the video's current frame, base64, at the best quality that fits the limit. */
export function takePhoto(video: HTMLVideoElement): string | null {
  const canvas = document.createElement('canvas');
  canvas.width = PHOTO_WIDTH_PX;
  canvas.height = PHOTO_HEIGHT_PX;
  const context = canvas.getContext('2d');
  if (!context) return null;
  context.drawImage(video, 0, 0, PHOTO_WIDTH_PX, PHOTO_HEIGHT_PX);
  for (const quality of QUALITIES) {
    const base64 = canvas.toDataURL('image/jpeg', quality).split(',')[1] ?? '';
    if ((base64.length * 3) / 4 <= PHOTO_BYTES_LIMIT) return base64;
  }
  return null;
}
