// Broadcasts: compose on the left, history with live progress on the right.
import { BroadcastComposer } from './BroadcastComposer';
import { BroadcastHistory } from './BroadcastHistory';

export function BroadcastsView() {
  return (
    <div className="page page-wide">
      <header className="page-header">
        <div>
          <h1>Broadcasts</h1>
          <p className="page-lede">
            One message to many customers across channels. Providers with native broadcasts send it
            themselves; for the others it goes out one by one within their rate limits.
          </p>
        </div>
      </header>
      <div className="broadcasts-layout">
        <BroadcastComposer />
        <section aria-label="History">
          <h2 className="section-title">History</h2>
          <BroadcastHistory />
        </section>
      </div>
    </div>
  );
}
