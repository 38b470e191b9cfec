// Kiosks play their visits side by side (shared); a visit that kills the
// server takes the county to itself (exclusive), so no other kiosk is in the
// middle of a payment when the gateway dies under it. Writer-preferring: once
// an exclusive holder waits, no new shared holder starts.
export class SharedLock {
  private sharedHolders = 0;
  private exclusiveHeld = false;
  private readonly waiting: { exclusive: boolean; grant: () => void }[] = [];

  shared(): Promise<() => void> {
    return this.acquire(false);
  }

  exclusive(): Promise<() => void> {
    return this.acquire(true);
  }

  private acquire(exclusive: boolean): Promise<() => void> {
    return new Promise((resolve) => {
      this.waiting.push({ exclusive, grant: () => resolve(() => this.release(exclusive)) });
      this.pump();
    });
  }

  private release(exclusive: boolean): void {
    if (exclusive) this.exclusiveHeld = false;
    else this.sharedHolders -= 1;
    this.pump();
  }

  private pump(): void {
    while (this.waiting.length > 0 && !this.exclusiveHeld) {
      const next = this.waiting[0]!;
      if (next.exclusive) {
        if (this.sharedHolders > 0) return;
        this.exclusiveHeld = true;
      } else this.sharedHolders += 1;
      this.waiting.shift();
      next.grant();
    }
  }
}
