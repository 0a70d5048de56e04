import { expect, fixture, html } from '@open-wc/testing';
import '../../components/index.js';
import type { MeshChatElement, MeshRoomElement } from '../../components/index.js';
import { sharedRelay, spawnRelay, killRelay, disposeRelay } from '../helpers/browser-relay.js';
import { meshUp, uniqueRoom, until } from './helpers.js';

const HOSTILE = [
  '<img src=x onerror="window.__xss=(window.__xss||0)+1">',
  '<script>window.__xss=(window.__xss||0)+1</script>',
  '<a href="javascript:window.__xss=1">click me</a>',
  '"><svg onload="window.__xss=1">',
  '\u202Egnp.exe\u202C and \u2067rtl isolate\u2069',
  '{{constructor.constructor("window.__xss=1")()}}',
  'x'.repeat(10_000),
  'lorem '.repeat(2000),
];

describe('hostile strings in names and messages', () => {
  let relay = '';
  before(async () => {
    relay = (await sharedRelay()).wsUrl;
  });

  it('render as text everywhere: nothing runs, nothing is parsed as HTML, and the layout holds', async () => {
    const id = uniqueRoom('xss');
    const wrap = await fixture<HTMLDivElement>(html`<div style="width: 480px">
      <mesh-room relay=${relay} room=${id} name='<img src=x onerror="window.__xss=1">'><mesh-status-badge></mesh-status-badge><mesh-chat></mesh-chat></mesh-room>
      <mesh-room relay=${relay} room=${id} name="Bob"><mesh-status-badge></mesh-status-badge><mesh-chat></mesh-chat></mesh-room>
    </div>`);
    const [eve, bob] = [...wrap.querySelectorAll('mesh-room')] as MeshRoomElement[];
    await until(() => meshUp([eve, bob]), 'mesh up');
    for (const text of HOSTILE) eve.send({ type: 'chat', text });
    const chat = bob.querySelector('mesh-chat') as MeshChatElement;
    await until(() => chat.messages.length === HOSTILE.length, 'all hostile messages shown');
    await chat.updateComplete;
    const root = chat.shadowRoot!;
    // (The log, where names and messages go: the composer has a drawn attach icon of its own.)
    expect(root.querySelector('[part="log"]')!.querySelectorAll('img, script, a, svg').length).to.equal(0, 'no element came from a message or a name');
    const texts = [...root.querySelectorAll('[part="text"]')].map((e) => e.textContent);
    expect(texts).to.deep.equal(HOSTILE);
    expect(root.querySelector('[part="name"]')!.textContent).to.equal('<img src=x onerror="window.__xss=1">');
    expect((window as unknown as { __xss?: number }).__xss).to.equal(undefined);
    // Long words wrap inside the chat; the chat does not push the page sideways.
    const log = root.querySelector('[part="log"]') as HTMLElement;
    expect(log.scrollWidth).to.be.at.most(log.clientWidth + 1);
    expect(chat.getBoundingClientRect().width).to.be.at.most(481);
    // Bidi overrides stay inside their message.
    const rtl = [...root.querySelectorAll('[part="text"]')].find((e) => e.textContent!.includes('gnp.exe'))!;
    expect(getComputedStyle(rtl).unicodeBidi).to.equal('isolate');
  });

  it('a hostile name and file name are text in every place they are shown: chat log, file entries, video captions, recording indicator, badge, error alerts', async () => {
    const EVE = '<img src=x onerror="window.__xss=(window.__xss||0)+1">';
    const FILE = '<svg onload="window.__xss=1">.txt';
    const RELAY = 'javascript:<img src=x onerror="window.__xss=1">';
    const id = uniqueRoom('xss-all');
    const wrap = await fixture<HTMLDivElement>(html`<div style="width: 640px">
      <mesh-room relay=${relay} room=${id} name=${EVE} media="video"><mesh-status-badge></mesh-status-badge><mesh-chat></mesh-chat></mesh-room>
      <mesh-room relay=${relay} room=${id} name="Bob" media="video"><mesh-status-badge></mesh-status-badge><mesh-chat></mesh-chat></mesh-room>
      <mesh-room relay=${RELAY} room=${id} name="Cy"></mesh-room>
    </div>`);
    const [eve, bob, broken] = [...wrap.querySelectorAll('mesh-room')] as MeshRoomElement[];
    await until(() => meshUp([eve, bob]) && bob.peers[0].stream !== null, 'call up');
    eve.send({ type: 'chat', text: 'hi' });
    eve.sendFile(new Blob(['not html']), { name: FILE });
    await eve.startRecording();
    const bobChat = bob.querySelector('mesh-chat') as MeshChatElement;
    await until(() => bobChat.messages.length === 1 && bob.shadowRoot!.querySelector('[part="recording"]') !== null
      && bobChat.shadowRoot!.querySelector('[part~="file"][data-status="done"]') !== null, 'message, file and recording indicator shown');
    await until(() => broken.state === 'failed', 'the room with a hostile relay URL fails');
    for (const el of [eve, bob, broken]) await el.updateComplete;
    const text = (root: ParentNode | null, sel: string) => [...(root?.querySelectorAll(sel) ?? [])].map((e) => e.textContent!.trim());
    // Chat log: the sender's name.
    expect(text(bobChat.shadowRoot, '[part~="message"]:not([part~="file"]) [part="name"]')).to.deep.equal([EVE]);
    // File entry: sender and file name.
    const file = bobChat.shadowRoot!.querySelector('[part~="file"]')!;
    expect(text(file, '[part="name"]')).to.deep.equal([EVE]);
    expect(text(file, '[part="file-name"]')).to.deep.equal([FILE]);
    expect(file.querySelector('[part="file-download"]')!.getAttribute('download')).to.equal(FILE);
    // Video grid: Eve's caption on Bob's grid and on her own.
    const captions = (room: MeshRoomElement) => text(room.shadowRoot!.querySelector('mesh-video-grid')!.shadowRoot, '[part="caption"] > span:first-child');
    expect(captions(bob)).to.include(EVE);
    expect(captions(eve)).to.include(`${EVE} (you)`);
    // Recording indicator, as everyone else sees it.
    expect(text(bob.shadowRoot, '[part="recording"]')[0]).to.contain(`${EVE} is recording this room.`);
    // Error alert: the refused relay URL is quoted as text.
    expect(text(broken.shadowRoot, '[part="error"]')[0]).to.contain(`got ${JSON.stringify(RELAY)}`);
    // Badges: state and figures only, never markup.
    expect(text(bob.querySelector('mesh-status-badge')!.shadowRoot, '[part="label"]')[0]).to.match(/^Connected/);
    // Nowhere in any shadow tree did a name, file name or URL become an element.
    const injected: string[] = [];
    const walk = (root: ParentNode) => {
      for (const e of root.querySelectorAll('*')) {
        if (e.matches('img, script, iframe, object, embed') || e.hasAttribute('onerror') || e.hasAttribute('onload')) injected.push(e.outerHTML.slice(0, 80));
        if (e.shadowRoot) walk(e.shadowRoot);
      }
    };
    walk(wrap);
    expect(injected).to.deep.equal([]);
    expect((window as unknown as { __xss?: number }).__xss).to.equal(undefined);
    await eve.stopRecording();
  });

  it('a name with a bidi override is refused by the relay with a clear error', async () => {
    const el = await fixture<MeshRoomElement>(html`<mesh-room relay=${relay} room=${uniqueRoom('bidi')} name=${'evil\u202Egnp.exe'}></mesh-room>`);
    await until(() => el.state === 'failed', 'refused');
    await el.updateComplete;
    expect(el.error?.code).to.equal('invalid-name');
    expect(el.shadowRoot!.querySelector('[part="error"]')!.textContent).to.contain('1–64 visible characters');
  });
});

describe('when the relay goes away', () => {
  it('peers keep chatting directly, and the chat says the server is unreachable until it is back', async () => {
    const spawned = await spawnRelay();
    try {
      const id = uniqueRoom('down');
      const wrap = await fixture<HTMLDivElement>(html`<div>
        <mesh-room relay=${spawned.wsUrl} room=${id} name="Ada"><mesh-chat></mesh-chat></mesh-room>
        <mesh-room relay=${spawned.wsUrl} room=${id} name="Bob"><mesh-chat></mesh-chat></mesh-room>
      </div>`);
      const rooms = [...wrap.querySelectorAll('mesh-room')] as MeshRoomElement[];
      const [adaChat, bobChat] = [...wrap.querySelectorAll('mesh-chat')] as MeshChatElement[];
      await until(() => meshUp(rooms), 'mesh up');
      await killRelay(spawned);
      await until(() => rooms.every((r) => r.state === 'reconnecting'), 'both reconnecting');
      await adaChat.updateComplete;
      const notice = adaChat.shadowRoot!.querySelector('[part="notice"]')!;
      expect(notice.hasAttribute('hidden')).to.equal(false);
      expect(notice.textContent).to.contain('Server unreachable');
      adaChat.send('still talking');
      await until(() => bobChat.messages.some((m) => m.text === 'still talking'), 'delivered peer to peer');
      expect(adaChat.messages.find((m) => m.text === 'still talking')!.pending).to.equal(true, 'not yet stored by a relay');
    } finally {
      await disposeRelay(spawned);
    }
  });
});
