import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
// The kiosk ships its own Tibetan font: village PCs cannot be relied on to have one.
import '@fontsource/noto-serif-tibetan/400.css';
import '@fontsource/noto-serif-tibetan/700.css';
import '@fontsource/noto-serif-tibetan/800.css';
import './styles.css';

// Load the Tibetan faces up front: a face fetched lazily on the first switch
// to Tibetan leaves some text drawn as empty boxes until the next repaint.
for (const weight of [400, 700, 800]) void document.fonts.load(`${weight} 24px "Noto Serif Tibetan"`, 'བོད་ཡིག');

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
