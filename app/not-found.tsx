import Link from 'next/link';
import { MainLandmark } from '@/components/shell/landmark';

export default function NotFound() {
  return (
    <MainLandmark className="centered-page">
      <div className="panel message-panel">
        <p className="eyebrow">404</p>
        <h1>Nothing here</h1>
        <Link className="button" href="/">
          Back to overview
        </Link>
      </div>
    </MainLandmark>
  );
}
