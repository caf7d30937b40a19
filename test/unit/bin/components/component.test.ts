import { DEFAULT_CONFIG, type Config } from '../../../../core/config';
import { Counters } from '../../../../core/metrics';
import { planComponents, startComponents, type ComponentFactory, type RoleContext } from '../../../../bin/components/component';

/** A factory whose components write what happens to them into `events`. */
function recording(name: string, events: string[], options: { onlyIn?: string; failStart?: boolean; badSettings?: boolean } = {}): ComponentFactory<{ name: string }> {
  return {
    name,
    settings(_config, role) {
      events.push(`settings ${name}`);
      if (options.badSettings) throw new Error(`${name}: bad settings`);
      return options.onlyIn && options.onlyIn !== role ? null : { name };
    },
    create(settings) {
      return {
        async start() {
          events.push(`start ${settings.name}`);
          if (options.failStart) throw new Error(`${settings.name} cannot start`);
        },
        async shutdown() {
          events.push(`stop ${settings.name}`);
        },
      };
    },
  };
}

const config: Config = { ...DEFAULT_CONFIG };
const context = (lines: string[] = []): RoleContext => ({ role: 'query', config, counters: new Counters(), log: (l) => lines.push(l), apiUrl: '', otlpUrl: '' });

describe('role components', () => {
  it('checks every section first, starts the components of the role in order and stops them in reverse, once', async () => {
    const events: string[] = [];
    const factories = [recording('a', events), recording('b', events, { onlyIn: 'collector' }), recording('c', events)];
    const running = await startComponents(planComponents(factories, config, 'query'), context());
    expect(events).toEqual(['settings a', 'settings b', 'settings c', 'start a', 'start c']);
    await Promise.all([running.stop(), running.stop()]);
    expect(events.slice(5)).toEqual(['stop c', 'stop a']);
  });

  it('a bad section stops start-up before anything starts', () => {
    const events: string[] = [];
    expect(() => planComponents([recording('a', events), recording('b', events, { badSettings: true })], config, 'query')).toThrow('b: bad settings');
    expect(events.filter((e) => e.startsWith('start'))).toEqual([]);
  });

  it('a component that fails to start is shut down with everything started before it, and the error comes out', async () => {
    const events: string[] = [];
    const factories = [recording('a', events), recording('b', events, { failStart: true }), recording('c', events)];
    await expect(startComponents(planComponents(factories, config, 'query'), context())).rejects.toThrow('b cannot start');
    expect(events.slice(3)).toEqual(['start a', 'start b', 'stop b', 'stop a']);
  });

  it('an error while stopping one component is logged and the others still stop', async () => {
    const events: string[] = [];
    const failing: ComponentFactory<null | object> = {
      name: 'failing',
      settings: () => ({}),
      create: () => ({ start: async () => {}, shutdown: async () => Promise.reject(new Error('cannot close')) }),
    };
    const lines: string[] = [];
    const running = await startComponents(planComponents([recording('a', events), failing], config, 'query'), context(lines));
    await running.stop();
    expect(lines).toEqual(['chainscope: error while stopping failing: cannot close']);
    expect(events).toContain('stop a');
  });
});
