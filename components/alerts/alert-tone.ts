'use client';

/**
 * The new-alert tone: two short rising beeps made with WebAudio (no audio files to ship or
 * fetch). Browsers keep an AudioContext suspended until the page has had a user gesture, so
 * the context is created lazily and resumed on the first key or pointer press; before that
 * a tone is simply not heard (the visual pulse and the tab title still announce the alert).
 */
let context: AudioContext | null = null;
let unlockInstalled = false;

function audioContext(): AudioContext | null {
  if (typeof window === 'undefined' || typeof window.AudioContext !== 'function') return null;
  context ??= new window.AudioContext();
  return context;
}

/** Call once on the client: resumes the audio context on the first user gesture. */
export function installAudioUnlock(): void {
  if (unlockInstalled || typeof window === 'undefined') return;
  unlockInstalled = true;
  const unlock = () => {
    const ctx = audioContext();
    if (ctx && ctx.state === 'suspended') void ctx.resume().catch(() => undefined);
    window.removeEventListener('pointerdown', unlock, true);
    window.removeEventListener('keydown', unlock, true);
  };
  window.addEventListener('pointerdown', unlock, true);
  window.addEventListener('keydown', unlock, true);
}

/** What the operator would hear: the browser's audio is running, or still waiting for a gesture (or absent). */
export type AudioState = 'running' | 'blocked' | 'unavailable';

export function audioState(): AudioState {
  const ctx = audioContext();
  if (!ctx) return 'unavailable';
  return ctx.state === 'running' ? 'running' : 'blocked';
}

/** Calls `listener` whenever the browser's audio starts or stops; returns the unsubscribe. */
export function onAudioStateChange(listener: () => void): () => void {
  const ctx = audioContext();
  if (!ctx) return () => undefined;
  ctx.addEventListener('statechange', listener);
  return () => ctx.removeEventListener('statechange', listener);
}

/** From a click or key press ("Enable sound"): lets the browser play the tone; resolves whether it now can. */
export async function enableAudio(): Promise<boolean> {
  const ctx = audioContext();
  if (!ctx) return false;
  try {
    if (ctx.state !== 'running') await ctx.resume();
  } catch {
    return false;
  }
  return audioState() === 'running';
}

/** Plays the tone; returns whether it could be scheduled (false without WebAudio). */
export function playAlertTone(): boolean {
  try {
    const ctx = audioContext();
    if (!ctx) return false;
    if (ctx.state === 'suspended') void ctx.resume().catch(() => undefined);
    const start = ctx.currentTime + 0.01;
    [
      { at: 0, frequency: 740 },
      { at: 0.16, frequency: 988 },
    ].forEach(({ at, frequency }) => {
      const oscillator = ctx.createOscillator();
      const gain = ctx.createGain();
      oscillator.type = 'sine';
      oscillator.frequency.value = frequency;
      // A short attack and decay: no click at either end.
      gain.gain.setValueAtTime(0.0001, start + at);
      gain.gain.exponentialRampToValueAtTime(0.25, start + at + 0.015);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + at + 0.13);
      oscillator.connect(gain).connect(ctx.destination);
      oscillator.start(start + at);
      oscillator.stop(start + at + 0.14);
    });
    return true;
  } catch {
    return false;
  }
}

const MUTE_KEY = 'sightline:alert-sound';

export function readMuted(): boolean {
  try {
    return window.localStorage.getItem(MUTE_KEY) === 'off';
  } catch {
    return false;
  }
}

export function writeMuted(muted: boolean): void {
  try {
    if (muted) window.localStorage.setItem(MUTE_KEY, 'off');
    else window.localStorage.removeItem(MUTE_KEY);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
}
