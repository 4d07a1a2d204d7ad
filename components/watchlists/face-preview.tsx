'use client';

import { useEffect, useRef, useState } from 'react';
import { detectFacesInImage, type DetectedBox } from '@/lib/face/browser';

type State = { kind: 'loading' } | { kind: 'done'; faces: DetectedBox[] } | { kind: 'error'; message: string } | { kind: 'undecodable' };

/** What the browser found: a face count, a file it cannot open as a picture, or no detector here. */
export type PreviewResult = { kind: 'faces'; count: number } | { kind: 'undecodable' } | { kind: 'unavailable'; message: string };

/**
 * The chosen photo with the faces the browser finds boxed on it, before anything is uploaded.
 * Advisory only: the server runs its own, stricter quality gate on the bytes it receives.
 */
export function FacePreview({ file, onResult }: { file: File; onResult?: (result: PreviewResult) => void }) {
  const [url, setUrl] = useState<string | null>(null);
  const [state, setState] = useState<State>({ kind: 'loading' });
  const imageRef = useRef<HTMLImageElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const objectUrl = URL.createObjectURL(file);
    setUrl(objectUrl);
    setState({ kind: 'loading' });
    return () => URL.revokeObjectURL(objectUrl);
  }, [file]);

  async function analyse() {
    const image = imageRef.current;
    const canvas = canvasRef.current;
    if (!image || !canvas) return;
    try {
      const faces = await detectFacesInImage(image);
      canvas.width = image.naturalWidth;
      canvas.height = image.naturalHeight;
      const ctx = canvas.getContext('2d')!;
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      ctx.lineWidth = Math.max(2, canvas.width / 200);
      ctx.strokeStyle = faces.length === 1 ? '#3fd28a' : '#ffc857';
      for (const face of faces) ctx.strokeRect(face.x, face.y, face.width, face.height);
      setState({ kind: 'done', faces });
      onResult?.({ kind: 'faces', count: faces.length });
    } catch (error) {
      const message = error instanceof Error ? error.message : 'Face detection failed to load';
      setState({ kind: 'error', message });
      onResult?.({ kind: 'unavailable', message });
    }
  }

  /** The browser could not decode the file: not a picture, whatever its name says. */
  function undecodable() {
    setState({ kind: 'undecodable' });
    onResult?.({ kind: 'undecodable' });
  }

  const faces = state.kind === 'done' ? state.faces.length : null;
  return (
    <figure className="face-preview" data-testid="face-preview" data-faces={faces ?? ''}>
      <div className="face-preview-frame">
        {url && (
          // eslint-disable-next-line @next/next/no-img-element -- a local object URL, not an optimisable asset
          <img
            ref={imageRef}
            src={url}
            alt={`Preview of ${file.name}`}
            hidden={state.kind === 'undecodable'}
            onLoad={() => void analyse()}
            onError={undecodable}
          />
        )}
        <canvas ref={canvasRef} aria-hidden="true" />
      </div>
      <figcaption className="small">
        {state.kind === 'loading' && <span className="muted">Looking for faces…</span>}
        {state.kind === 'error' && <span className="danger-text">Preview unavailable: {state.message}</span>}
        {state.kind === 'undecodable' && <span className="danger-text">Not a picture</span>}
        {faces === 0 && <span className="danger-text">No face found</span>}
        {faces === 1 && <span className="ok-text">1 face found</span>}
        {faces !== null && faces > 1 && <span className="warn-text">{faces} faces — a reference needs exactly one</span>}
      </figcaption>
    </figure>
  );
}
