// The team pushes the inbox follows (presence, notes); renders nothing.
import { useNoteFeed } from './notes';
import { usePresenceFeed } from './presence';

export function TeamFeeds() {
  usePresenceFeed();
  useNoteFeed();
  return null;
}
