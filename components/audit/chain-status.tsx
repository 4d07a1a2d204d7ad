'use client';

import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { AuditVerification } from '@/lib/audit/data';
import { ApiError, callApi, messageOf } from '@/components/ui/api';
import styles from './audit.module.css';
import { londonMoment } from '@/lib/time/london';
import { plural } from '@/lib/format/plural';

type State = { kind: 'checking' } | { kind: 'done'; result: AuditVerification; at: Date } | { kind: 'error'; message: string };

const anchorText = ({ seq, hash }: { seq: number; hash: string }) => `${seq}:${hash}`;
const ANCHOR = /^\d{1,12}:[0-9a-fA-F]{64}$/;
const ANCHOR_HELP = 'A head is the event number, a colon and 64 letters and digits (0–9, a–f), as shown above: e.g. 1234:9f86d0…';

/**
 * Verifies the hash chain on the server and says plainly whether the record is intact. Shows the
 * chain's head for auditors to record elsewhere, and checks a head recorded earlier: only that
 * proves the newest events were not removed together.
 */
export function ChainStatus() {
  const [state, setState] = useState<State>({ kind: 'checking' });
  const [anchorInput, setAnchorInput] = useState('');
  const [anchorProblem, setAnchorProblem] = useState<string | null>(null);
  const [checkingAnchor, setCheckingAnchor] = useState(false);
  const [copied, setCopied] = useState(false);

  const verify = useCallback(async (anchor?: string) => {
    // Checking a head keeps the chain's status on screen until the answer replaces it.
    if (anchor) setCheckingAnchor(true);
    else setState({ kind: 'checking' });
    try {
      const query = anchor ? `?anchor=${encodeURIComponent(anchor)}` : '';
      setState({ kind: 'done', result: await callApi<AuditVerification>(`/api/audit/verify${query}`), at: new Date() });
    } catch (error) {
      // A head the server refuses is a problem with what was typed: said beside it; the chain's status stays.
      if (anchor && error instanceof ApiError && error.status === 422) {
        setAnchorProblem(ANCHOR_HELP);
      } else setState({ kind: 'error', message: messageOf(error, 'Verification failed.') });
    } finally {
      setCheckingAnchor(false);
    }
  }, []);
  useEffect(() => void verify(), [verify]);

  const checkAnchor = (event: FormEvent) => {
    event.preventDefault();
    const anchor = anchorInput.trim();
    if (!ANCHOR.test(anchor)) {
      setAnchorProblem(ANCHOR_HELP);
      return;
    }
    setAnchorProblem(null);
    void verify(anchor);
  };

  const copyHead = async (head: string) => {
    try {
      await navigator.clipboard.writeText(head);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      // No clipboard (e.g. plain http): the head stays selectable on the page.
    }
  };

  const result = state.kind === 'done' ? state.result : null;
  return (
    <div className="chain-status panel" data-testid="chain-status" aria-live="polite">
      <div className="chain-status__summary">
        {state.kind === 'checking' && <p className="muted">Verifying the hash chain…</p>}
        {state.kind === 'error' && <p className="form-error">Could not verify: {state.message}</p>}
        {result && <ChainSummary result={result} at={state.kind === 'done' ? state.at : new Date()} />}
        {result?.head && (
          <p className="muted chain-status__head">
            Chain head, to record elsewhere: <code data-testid="chain-head">{anchorText(result.head)}</code>{' '}
            <button type="button" className="button small" onClick={() => void copyHead(anchorText(result.head!))}>
              {copied ? 'Copied' : 'Copy'}
            </button>
          </p>
        )}
      </div>
      <div className="chain-status__actions">
        <form className="chain-status__anchor" onSubmit={checkAnchor}>
          <label htmlFor="chain-anchor">Check a head recorded earlier</label>
          <input
            id="chain-anchor"
            value={anchorInput}
            aria-invalid={anchorProblem ? true : undefined}
            aria-describedby={anchorProblem ? 'chain-anchor-problem' : undefined}
            onChange={(event) => {
              setAnchorInput(event.target.value);
              setAnchorProblem(null);
            }}
            placeholder="event number:hash"
            spellCheck={false}
            autoComplete="off"
          />
          <button type="submit" className="button" disabled={state.kind === 'checking' || checkingAnchor || !anchorInput.trim()}>
            Check
          </button>
          {anchorProblem && (
            <p id="chain-anchor-problem" className={styles.anchorProblem} role="alert" data-testid="anchor-problem">
              {anchorProblem}
            </p>
          )}
        </form>
        <button type="button" className="button" onClick={() => void verify()} disabled={state.kind === 'checking'}>
          Verify again
        </button>
      </div>
    </div>
  );
}

function ChainSummary({ result, at }: { result: AuditVerification; at: Date }) {
  const damage = chainDamage(result);
  if (damage.length > 0) {
    return (
      <div className="danger-text" data-testid="chain-damage">
        <p>
          <strong>Record not intact</strong> — events were altered or removed outside Sightline:
        </p>
        <ul>
          {damage.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      </div>
    );
  }
  const intact = (
    <>
      <strong>Chain intact</strong> — {plural(result.count, 'event')} verified at {londonMoment(at.toISOString())}.
    </>
  );
  if (!result.anchor) return <p className="ok-text">{intact}</p>;
  const { seq, status } = result.anchor;
  if (status === 'present') {
    return (
      <p className="ok-text" data-testid="anchor-result">
        {intact} The recorded head, event #{seq}, is still in the chain, unchanged: nothing up to it was altered or removed.
      </p>
    );
  }
  return (
    <p className="danger-text" data-testid="anchor-result">
      <strong>Record not intact:</strong>{' '}
      {status === 'missing'
        ? `event #${seq}, the recorded head, is no longer in the chain: it and any events after it were removed outside Sightline.`
        : `event #${seq} no longer matches the recorded head: the record was rewritten from there on outside Sightline.`}
    </p>
  );
}

const range = ({ from, to }: { from: number; to: number }) => (from === to ? `#${from}` : `#${from}–#${to}`);

/** What the server found wrong with the chain, one sentence each; empty when only a checked anchor failed (shown on its own). */
function chainDamage(result: AuditVerification): string[] {
  const lines: string[] = [];
  if (result.firstBrokenId !== null) lines.push(`The chain is broken at event #${result.firstBrokenId}: it or the event before it was changed or removed.`);
  if (result.gaps.length > 0) lines.push(`Events missing: ${result.gaps.map(range).join(', ')}.`);
  const recorded = result.recordedHead;
  if (recorded?.status === 'missing') lines.push(`The newest event recorded, #${recorded.seq}, is no longer in the chain.`);
  if (recorded?.status === 'different') lines.push(`Event #${recorded.seq} no longer matches the newest event recorded: it was rewritten.`);
  if (recorded?.status === 'absent') lines.push('The record of the newest event is gone: whether the newest events were removed cannot be told.');
  if (lines.length > 0 && result.anchor && result.anchor.status !== 'present') {
    lines.push(
      `The head you checked, event #${result.anchor.seq}, is ${result.anchor.status === 'missing' ? 'no longer in the chain' : 'no longer the same'}.`,
    );
  }
  return lines;
}
