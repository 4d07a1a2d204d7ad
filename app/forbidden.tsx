import Link from 'next/link';
import { MainLandmark } from '@/components/shell/landmark';

export default function Forbidden() {
  return (
    <MainLandmark className="centered-page">
      <div className="panel message-panel" role="alert">
        <p className="eyebrow">403 · Not permitted</p>
        <h1>Your role does not give access to this page</h1>
        <p className="muted">Access in Sightline follows the role you were given. If you need this page for your duties, ask an administrator.</p>
        <Link className="button" href="/">
          Back to overview
        </Link>
      </div>
    </MainLandmark>
  );
}
