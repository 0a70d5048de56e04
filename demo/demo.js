// The demo uses mesh-room exactly as any page would: tags, attributes, events and styling.
const params = new URLSearchParams(location.search);
const roomId = params.get('room');
const name = params.get('name');
const form = document.getElementById('join-form');
const view = document.getElementById('room-view');
const room = document.getElementById('room');

if (roomId && name) {
  document.getElementById('room-label').textContent = roomId;
  document.getElementById('name-label').textContent = name;
  const relay = params.get('relay');
  if (relay) room.setAttribute('relay', relay);
  // Video by default; ?media=none (an unticked box in the form) joins for chat only.
  room.setAttribute('media', params.getAll('media').at(-1) ?? 'audio video');
  room.setAttribute('room', roomId);
  room.setAttribute('name', name);
  view.hidden = false;
  document.title = `${roomId} · mesh-room`;
} else {
  form.hidden = false;
  if (roomId) form.elements.room.value = roomId;
  form.elements.name.focus();
}
