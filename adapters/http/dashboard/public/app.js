// The dashboard's entry point: sign-in, the three views, and the messages line.
import { api, setToken, whenUnauthenticated } from './api.js';
import { Announcements } from './announcements.js';
import { MeshView } from './mesh-view.js';
import { ProjectView } from './project-view.js';
import { SimulationView } from './simulation-view.js';

const $ = (id) => document.getElementById(id);

const say = (text, isError = false) => {
  const line = $('message');
  line.textContent = text;
  line.classList.toggle('error', isError);
};

const simulation = new SimulationView(say);
const mesh = new MeshView(say);
const projects = new ProjectView(say);
const views = { simulation: undefined, projects, mesh };
const announcements = new Announcements($('announcements'), () => signedOut('Your session has ended: log in again.'));

const showView = (name) => {
  for (const [view, controller] of Object.entries(views)) {
    const shown = view === name;
    $(`${view === 'projects' ? 'project' : view}-view`).hidden = !shown;
    $(`tab-${view}`).setAttribute('aria-pressed', String(shown));
    if (shown) void controller?.show();
    else controller?.hide();
  }
};

const signedIn = async (login) => {
  setToken(login.access_token);
  $('login-view').hidden = true;
  $('views').hidden = false;
  $('who').hidden = false;
  $('who-email').textContent = login.user?.email ?? '';
  document.body.dataset.signedIn = 'true';
  showView('simulation');
  say(`Signed in as ${login.user?.name || login.user?.email}.`);
  void announcements.start();
  await simulation.loadTemplates();
};

const credentials = () => ({ email: $('email').value.trim(), password: $('password').value });

const logIn = async () => signedIn(await api('POST', '/auth/login', credentials()));

const register = async () => {
  const { email, password } = credentials();
  const name = $('name').value.trim() || email.split('@')[0];
  await api('POST', '/auth/register', { email, password, name });
  await logIn();
};

const guarded = (action) => async (event) => {
  event?.preventDefault();
  try {
    await action();
  } catch (error) {
    say(error.message, true);
  }
};

$('login-form').addEventListener('submit', guarded(logIn));
$('register').addEventListener('click', guarded(register));
$('tab-simulation').addEventListener('click', () => showView('simulation'));
$('tab-projects').addEventListener('click', () => showView('projects'));
$('tab-mesh').addEventListener('click', () => showView('mesh'));
const signedOut = (message) => {
  announcements.stop();
  simulation.stop();
  mesh.hide();
  projects.hide();
  setToken('');
  delete document.body.dataset.signedIn;
  $('views').hidden = true;
  $('who').hidden = true;
  $('simulation-view').hidden = true;
  $('mesh-view').hidden = true;
  $('project-view').hidden = true;
  $('run').hidden = true;
  $('login-view').hidden = false;
  say(message, message !== 'Signed out.');
};

whenUnauthenticated(() => signedOut('Your session has ended (tokens last 15 minutes): log in again.'));
$('logout').addEventListener(
  'click',
  guarded(async () => {
    await api('POST', '/auth/logout').catch(() => undefined);
    signedOut('Signed out.');
  }),
);
