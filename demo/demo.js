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
  room.setAttribute('room', roomId);
  room.setAttribute('name', name);
  view.hidden = false;
  document.title = `${roomId} · mesh-room`;
  const leave = document.getElementById('leave');
  leave.addEventListener('click', () => {
    if (room.state === 'closed' || room.state === 'idle' || room.state === 'failed') {
      room.join().catch(() => {});
    } else {
      room.leave();
    }
  });
  room.addEventListener('mesh-state-change', (e) => {
    const out = e.detail.to === 'closed' || e.detail.to === 'idle' || e.detail.to === 'failed';
    leave.textContent = out ? 'Join again' : 'Leave';
  });
} else {
  form.hidden = false;
  if (roomId) form.elements.room.value = roomId;
  form.elements.name.focus();
}
