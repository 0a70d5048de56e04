import { formatBytes, plural, relativeTime, type MeshStrings } from '../shared/strings.js';

/** German. */
export const DE: MeshStrings = {
  ago: (at, now) => relativeTime('de', at, now),
  state: {
    idle: 'Nicht verbunden',
    connecting: 'Verbinde…',
    connected: 'Verbunden',
    reconnecting: 'Verbinde neu…',
    failed: 'Getrennt',
    closed: 'Raum verlassen',
  },
  peers: (n) => (n === 0 ? 'sonst niemand hier' : plural(n, 'weitere Person', 'weitere Personen')),
  yourName: 'Dein Name',
  joinRoom: 'Beitreten',
  messageLabel: 'Nachricht',
  send: 'Senden',
  chatLog: 'Chatnachrichten',
  empty: 'Noch keine Nachrichten.',
  you: 'du',
  sending: 'wird gesendet…',
  caughtUp: (n) => (n === 0 ? 'Wieder verbunden.' : `Wieder verbunden — ${plural(n, 'Nachricht', 'Nachrichten')} nachgeholt.`),
  lost: (n) => `${plural(n, 'ältere Nachricht konnte', 'ältere Nachrichten konnten')} nicht wiederhergestellt werden.`,
  relayRestarted: 'Der Server wurde neu gestartet; Nachrichten von Personen, die inzwischen gegangen sind, lassen sich nicht prüfen.',
  relayUnavailable: 'Server nicht erreichbar — Nachrichten gehen direkt an die anderen und erreichen alle, sobald er wieder da ist.',
  micOn: 'Mikrofon stummschalten',
  micOff: 'Mikrofon einschalten',
  cameraOn: 'Kamera ausschalten',
  cameraOff: 'Kamera einschalten',
  shareScreen: 'Bildschirm teilen',
  stopSharing: 'Teilen beenden',
  leave: 'Verlassen',
  join: 'Wieder beitreten',
  mediaControls: 'Anrufsteuerung',
  participants: 'Teilnehmende',
  muted: 'stumm',
  noVideo: 'Kamera aus',
  sharing: 'teilt Bildschirm',
  enableSound: 'Klicken, um die anderen zu hören',
  quality: { good: 'gute Verbindung', fair: 'mittlere Verbindung', poor: 'schlechte Verbindung' },
  figures: (rtt, loss, kbps) => [
    rtt === null ? '' : `${Math.round(rtt)} ms`,
    loss === null ? '' : `${(loss < 10 ? loss.toFixed(1) : String(Math.round(loss))).replace('.', ',')} % Verlust`,
    kbps === null ? '' : kbps >= 1000 ? `${(kbps / 1000).toFixed(1).replace('.', ',')} Mbit/s` : `${Math.round(kbps)} kbit/s`,
  ].filter(Boolean).join(' · '),
  attachFile: 'Datei anhängen',
  dropFiles: 'Dateien hier ablegen, um sie an den Raum zu senden',
  accept: 'Annehmen',
  decline: 'Ablehnen',
  cancel: 'Abbrechen',
  download: 'Herunterladen',
  size: (b) => formatBytes('de', b),
  fileStatus: (t) => {
    switch (t.status) {
      case 'offered': return t.direction === 'in' ? 'an dich angeboten' : 'wartet auf Annahme…';
      case 'active': return [t.bytesPerSecond ? `${formatBytes('de', t.bytesPerSecond)}/s` : '', t.secondsLeft !== null ? `noch ${Math.ceil(t.secondsLeft)} s` : ''].filter(Boolean).join(' · ') || 'beginnt…';
      case 'paused': return 'wartet auf die Verbindung…';
      case 'verifying': return 'wird geprüft…';
      case 'done': return t.direction === 'in' ? 'empfangen und geprüft' : t.receivers > 1 ? `an ${t.done} von ${t.receivers} gesendet` : 'gesendet';
      default: return '';
    }
  },
  record: 'Aufnehmen',
  stopRecording: 'Aufnahme beenden',
  recordingBy: (self, names) => (self && names.length === 0 ? 'Du nimmst diesen Raum auf.'
    : `${[...(self ? ['Du'] : []), ...names].join(', ')} ${self || names.length > 1 ? 'nehmen' : 'nimmt'} diesen Raum auf.`),
  downloadRecording: (b) => `Aufnahme herunterladen (${formatBytes('de', b)})`,
  errors: {
    'name-taken': 'Dieser Name wird in diesem Raum schon verwendet. Wähle einen anderen Namen und tritt erneut bei.',
    'room-full': 'Dieser Raum ist voll. Versuche es später oder nimm einen anderen Raum.',
    'invalid-name': 'Namen brauchen 1–64 sichtbare Zeichen.',
    'invalid-room': 'Raumnamen bestehen aus Buchstaben, Ziffern, Punkt, Binde- und Unterstrich (bis 64).',
    'token-invalid': 'Der Zugangsschlüssel für diesen Raum ist ungültig. Lade die Seite neu, um einen neuen zu erhalten.',
    'token-expired': 'Der Zugangsschlüssel für diesen Raum ist abgelaufen. Lade die Seite neu, um einen neuen zu erhalten.',
    'origin-denied': 'Diese Seite darf den Raum-Server nicht verwenden.',
    'signaling-failed': 'Der Raum-Server ist nicht erreichbar. Prüfe deine Verbindung; ein erneuter Beitritt versucht es wieder.',
    'payload-too-large': 'Diese Nachricht ist zu lang.',
    'outbox-full': 'Zu viele Nachrichten warten auf den Server. Warte kurz und versuche es erneut.',
    'turn-unavailable': 'Der Weiterleitungsserver für schwierige Netze ist nicht erreichbar; Anrufe durch strenge Firewalls können scheitern.',
    'feature-unavailable': 'Ein Teil dieses Raums konnte nicht geladen werden. Prüfe die Verbindung und lade die Seite neu.',
    'media-denied': 'Kamera und Mikrofon sind für diese Seite gesperrt. Erlaube sie in den Website-Einstellungen des Browsers, um gesehen und gehört zu werden; der Chat funktioniert trotzdem.',
    'media-unavailable': 'Keine Kamera und kein Mikrofon gefunden. Du kannst trotzdem chatten und zuschauen.',
    'media-failed': 'Kamera oder Mikrofon ließen sich nicht starten (vielleicht nutzt sie eine andere App). Du kannst trotzdem chatten.',
    'file-too-large': 'Diese Datei ist zu groß für diesen Raum.',
    'file-rejected': 'Abgelehnt.',
    'file-cancelled': 'Abgebrochen.',
    'file-hash-mismatch': 'Die Datei kam beschädigt an und wurde verworfen. Bitte sie erneut an.',
    'file-interrupted': 'Unterbrochen — die andere Person ist gegangen. Sende sie erneut, wenn sie zurück ist.',
    'recording-unsupported': 'Dieser Browser kann den Raum nicht aufnehmen. Nimm einen aktuellen Chrome, Edge, Firefox oder Safari.',
    'recording-failed': 'Die Aufnahme wurde wegen eines Fehlers beendet. Starte sie erneut; hilft das nicht, lade die Seite neu.',
  },
};
