// A screen that fails to draw never leaves a blank page or a stack trace
// (issue 12 "Bad input"): the person is told in their language that the
// screen went back to the start, and the terminal is asked to go back to a
// sensible screen (the menu, or where help was opened). The next state the
// terminal pushes draws normally again (the App keys this boundary by screen).
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { api } from './api.js';
import { Icon } from './icons.js';
import type { Translate } from './i18n.js';

interface Props {
  t: Translate;
  children: ReactNode;
}

export class ErrorBoundary extends Component<Props, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.error('nongbao kiosk: a screen failed to draw', error, info.componentStack);
    void api.action('back');
  }

  override render(): ReactNode {
    if (!this.state.failed) return this.props.children;
    const { t } = this.props;
    return (
      <div className="center" data-testid="screen-error">
        <span className="hero-icon warn"><Icon name="warning" size={120} /></span>
        <h1 className="screen-title">{t('app.error')}</h1>
        <button type="button" className="big-button primary" data-choice="" onClick={() => void api.action('back')}>
          <Icon name="back" />
          <span className="label">{t('app.errorBack')}</span>
        </button>
      </div>
    );
  }
}
