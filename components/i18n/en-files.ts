import { formatBytes, type FileStringKey, type MeshStrings } from '../shared/strings.js';

/** English of the chat's file view, with the texts of how a transfer can end; it adds them when it loads. */
export const EN_FILES = {
  accept: 'Accept',
  decline: 'Decline',
  cancel: 'Cancel',
  download: 'Download',
  size: (b) => formatBytes('en', b),
  fileStatus: (t) => {
    switch (t.status) {
      case 'offered': return t.direction === 'in' ? 'offered to you' : 'waiting for the others to accept…';
      case 'active': return [t.bytesPerSecond ? `${formatBytes('en', t.bytesPerSecond)}/s` : '', t.secondsLeft !== null ? `${Math.ceil(t.secondsLeft)} s left` : ''].filter(Boolean).join(' · ') || 'starting…';
      case 'paused': return 'waiting for the connection…';
      case 'verifying': return 'checking…';
      case 'done': return t.direction === 'in' ? 'received and verified' : t.receivers > 1 ? `sent to ${t.done} of ${t.receivers}` : 'sent';
      default: return '';
    }
  },
  errors: {
    'file-rejected': 'Declined.',
    'file-cancelled': 'Cancelled.',
    'file-hash-mismatch': 'The file arrived damaged and was discarded. Ask for it again.',
    'file-interrupted': 'Interrupted — the other person left. Send it again when they are back.',
  },
} satisfies Pick<MeshStrings, FileStringKey> & { errors: MeshStrings['errors'] };
