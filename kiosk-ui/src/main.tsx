import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
// The kiosk ships its own Tibetan font: village PCs cannot be relied on to have one.
import '@fontsource/noto-serif-tibetan/400.css';
import '@fontsource/noto-serif-tibetan/700.css';
import './styles.css';
import { missingKeys } from './i18n.js';

// Load the Tibetan faces up front: a face fetched lazily on the first switch
// to Tibetan leaves some text drawn as empty boxes until the next repaint.
for (const weight of [400, 700]) void document.fonts.load(`${weight} 32px "Noto Serif Tibetan"`, 'བོད་ཡིག');

// The browser test reads which translations fell back (i18n.ts never falls back silently).
(window as unknown as { nongbaoMissingTranslations: () => string[] }).nongbaoMissingTranslations = missingKeys;

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
