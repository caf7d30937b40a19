import { hostName } from '../../../../core/security/browser-guard';
import { isLoopbackHost } from '../../../../bin/listen-address';
import { loadConfig } from '../../../../core/config';
import { checkExposure, securityFactory } from '../../../../bin/components/security';

describe('Host names and exposure', () => {
  it.each([
    ['localhost:8080', 'localhost'],
    ['LOCALHOST', 'localhost'],
    ['[::1]:8080', '::1'],
    ['127.0.0.1:4318', '127.0.0.1'],
    ['evil.example:80', 'evil.example'],
    ['::1', '::1'],
  ])('hostName(%s) = %s', (host, name) => {
    expect(hostName(host)).toBe(name);
  });

  it.each([
    ['127.0.0.1', true], ['127.1.2.3', true], ['::1', true], ['[::1]', true], ['localhost', true], ['app.localhost', true],
    ['0.0.0.0', false], ['::', false], ['192.168.1.5', false], ['localhost.evil.example', false], ['128.0.0.1', false],
  ])('isLoopbackHost(%s) = %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });

  it('a non-loopback HOST needs AUTH=tokens or INSECURE=1', () => {
    expect(() => checkExposure({ host: '0.0.0.0', auth: 'none', insecure: false })).toThrow(/HOST=0\.0\.0\.0 exposes every port without authentication: set AUTH=tokens/);
    expect(() => checkExposure({ host: '10.0.0.4', auth: 'none', insecure: false })).toThrow(/INSECURE=1/);
    expect(() => checkExposure({ host: '0.0.0.0', auth: 'tokens', insecure: false })).not.toThrow();
    expect(() => checkExposure({ host: '0.0.0.0', auth: 'none', insecure: true })).not.toThrow();
    expect(() => checkExposure({ host: '127.0.0.1', auth: 'none', insecure: false })).not.toThrow();
  });

  it('the name HOST binds is a Host name of the server too, besides ALLOWED_HOSTS', () => {
    const settings = securityFactory.settings(loadConfig({ HOST: 'Chainscope.LAN', INSECURE: '1', ALLOWED_HOSTS: 'Proxy.Example' }), 'all-in-one');
    expect(settings?.allowedHosts).toEqual(['proxy.example', 'chainscope.lan']);
    expect(settings?.syslogExposed).toBe(false);
    expect(securityFactory.settings(loadConfig({ HOST: '0.0.0.0', AUTH: 'tokens', SYSLOG_UDP_PORT: '0' }), 'all-in-one')?.syslogExposed).toBe(true);
    expect(securityFactory.settings(loadConfig({ SYSLOG_UDP_PORT: '0' }), 'all-in-one')?.syslogExposed).toBe(false);
  });

  it('defaults: loopback, no auth, no CORS, no extra Host names; bad values name the variable', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ host: '127.0.0.1', auth: 'none', insecure: false, allowedHosts: [], corsAllowedOrigins: [] });
    expect(loadConfig({ CORS_ALLOWED_ORIGINS: 'https://a.example, http://localhost:3000' }).corsAllowedOrigins).toEqual(['https://a.example', 'http://localhost:3000']);
    expect(() => loadConfig({ CORS_ALLOWED_ORIGINS: 'https://a.example/path' })).toThrow(/CORS_ALLOWED_ORIGINS must list origins like/);
    expect(() => loadConfig({ CORS_ALLOWED_ORIGINS: '*' })).toThrow(/CORS_ALLOWED_ORIGINS/);
    expect(() => loadConfig({ AUTH: 'basic' })).toThrow(/AUTH/);
  });
});
