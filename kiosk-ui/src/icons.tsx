// The icon beside every action (issue 12 section 3: "an icon with every
// action"): simple line drawings in SVG, so they need no emoji font.
const PATHS = {
  card: 'M4 14h56v36H4z M4 24h56 M12 40h16',
  account: 'M32 10a10 10 0 1 1 0 20a10 10 0 1 1 0-20 M12 56c0-12 9-18 20-18s20 6 20 18',
  cash: 'M4 18h56v28H4z M32 24a8 8 0 1 1 0 16a8 8 0 1 1 0-16 M12 24v16 M52 24v16',
  check: 'M10 34l14 14l30-32',
  list: 'M22 14h32 M22 32h32 M22 50h32 M10 14h2 M10 32h2 M10 50h2',
  help: 'M32 6a26 26 0 1 1 0 52a26 26 0 1 1 0-52 M24 24c0-10 16-10 16 0c0 6-8 7-8 14 M32 46v2',
  back: 'M40 12L20 32l20 20',
  exit: 'M26 10H10v44h16 M24 32h30 M42 20l12 12l-12 12',
  cross: 'M14 14l36 36 M50 14L14 50',
  camera: 'M6 20h14l4-8h16l4 8h14v32H6z M32 26a9 9 0 1 1 0 18a9 9 0 1 1 0-18',
  phone: 'M18 8h10l4 12l-6 4c3 7 8 12 14 14l4-6l12 4v10c0 4-4 6-8 6C26 52 12 38 12 16c0-4 2-8 6-8z',
  wrench: 'M40 8a14 14 0 0 0-12 20L8 48l8 8l20-20a14 14 0 0 0 20-12l-8 8l-8-8z',
  bell: 'M32 8c-10 0-16 8-16 18v12l-6 8h44l-6-8V26c0-10-6-18-16-18z M26 52a6 6 0 0 0 12 0',
  box: 'M8 20l24-12l24 12v28L32 60L8 48z M8 20l24 12l24-12 M32 32v28',
  update: 'M52 20A22 22 0 1 0 54 36 M52 8v12H40',
  chevronLeft: 'M40 12L20 32l20 20',
  chevronRight: 'M24 12l20 20l-20 20',
  globe: 'M32 6a26 26 0 1 1 0 52a26 26 0 1 1 0-52 M6 32h52 M32 6c-10 12-10 40 0 52 M32 6c10 12 10 40 0 52',
  warning: 'M32 6L4 56h56z M32 24v16 M32 46v2',
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name, size = 48 }: { name: IconName; size?: number }) {
  return (
    <svg className="icon" width={size} height={size} viewBox="0 0 64 64" aria-hidden="true" focusable="false">
      <path d={PATHS[name]} fill="none" stroke="currentColor" strokeWidth="5" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
