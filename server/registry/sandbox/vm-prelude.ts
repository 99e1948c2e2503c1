/**
 * Source evaluated inside each fresh QuickJS context before the plugin module. It captures the
 * intrinsics it relies on before plugin code can touch them, builds the frozen `ctx` object from
 * three host functions (which stay in its closure and never become globals), and returns `run`,
 * which loads the requested tool, awaits it and reports through `done`:
 *
 * - `done('ok', json)` with the JSON of the output,
 * - `done('threw', error)` when the tool threw or rejected,
 * - `done('load', error)` when the module failed to evaluate,
 * - `done('missing', message)` / `done('invalid', message)` for an unknown tool or a bad export,
 * - `done('unserialisable', error)` / `done('outputLimit', length)` for output that cannot be returned.
 *
 * Plugin code runs strictly after this, so whatever it tampers with (globals, prototypes, the ctx
 * object it receives) can only affect its own invocation: every invocation gets a new runtime.
 */
export const VM_PRELUDE = String.raw`(function () {
  'use strict';
  const JSONstringify = JSON.stringify;
  const JSONparse = JSON.parse;
  const freeze = Object.freeze;
  const getOwnPropertyNames = Object.getOwnPropertyNames;
  const hasOwn = Object.prototype.hasOwnProperty;
  const apply = Reflect.apply;
  const PromiseCtor = Promise;
  const promiseResolve = Promise.resolve;
  const promiseThen = Promise.prototype.then;
  const arrayMap = Array.prototype.map;
  const arrayJoin = Array.prototype.join;
  const StringCtor = String;

  function then(promise, onFulfilled, onRejected) {
    return apply(promiseThen, promise, [onFulfilled, onRejected]);
  }
  function resolve(value) {
    return apply(promiseResolve, PromiseCtor, [value]);
  }
  function deepFreeze(value) {
    if (value !== null && typeof value === 'object') {
      const names = getOwnPropertyNames(value);
      for (let i = 0; i < names.length; i++) deepFreeze(value[names[i]]);
      freeze(value);
    }
    return value;
  }
  function format(value) {
    if (typeof value === 'string') return value;
    try {
      const json = JSONstringify(value);
      return json === undefined ? StringCtor(value) : json;
    } catch (error) {
      try { return StringCtor(value); } catch (error2) { return '[unprintable]'; }
    }
  }

  return function setup(hostCall, hostLog, configJson) {
    function request(op, args) {
      return then(hostCall(op, JSONstringify(args)), function (json) {
        return json === undefined ? undefined : JSONparse(json);
      });
    }
    const ctx = freeze({
      config: deepFreeze(JSONparse(configJson)),
      fetch: function fetch(url, init) { return request('fetch', [url, init === undefined ? null : init]); },
      storage: freeze({
        get: function get(key) { return request('storage.get', [key]); },
        put: function put(key, value) { return then(request('storage.put', [key, value === undefined ? null : value]), function () { return undefined; }); },
        list: function list(prefix) { return request('storage.list', [prefix === undefined ? null : prefix]); },
        delete: function (key) { return request('storage.delete', [key]); },
      }),
      secrets: freeze({ get: function get(name) { return request('secrets.get', [name]); } }),
      log: function log() {
        hostLog(apply(arrayJoin, apply(arrayMap, arguments, [format]), [' ']));
      },
      callTool: function callTool(pluginId, tool, input) { return request('callTool', [pluginId, tool, input === undefined ? null : input]); },
    });

    return function run(moduleOrPromise, kind, name, inputJson, outputLimit, done) {
      function start(namespace) {
        try {
          startTarget(namespace);
        } catch (error) {
          done('threw', error);
        }
      }
      function startTarget(namespace) {
        const exported = namespace.default;
        if (exported === null || (typeof exported !== 'object' && typeof exported !== 'function')) {
          return done('invalid', 'the plugin entry has no default export object (expected export default { tools, healthCheck })');
        }
        let target;
        let self;
        let args;
        if (kind === 'healthCheck') {
          target = exported.healthCheck;
          self = exported;
          args = [ctx];
          if (typeof target !== 'function') return done('missing', 'the plugin exports no healthCheck function');
        } else {
          const tools = exported.tools;
          if (tools === null || typeof tools !== 'object' || !apply(hasOwn, tools, [name]) || typeof tools[name] !== 'function') {
            const names = tools !== null && typeof tools === 'object' ? getOwnPropertyNames(tools) : [];
            return done('missing', 'the plugin has no tool "' + name + '"; its tools: ' + (names.length ? apply(arrayJoin, names, [', ']) : 'none'));
          }
          target = tools[name];
          self = tools;
          args = [JSONparse(inputJson), ctx];
        }
        let pending;
        try {
          pending = apply(target, self, args);
        } catch (error) {
          return done('threw', error);
        }
        then(resolve(pending), function (output) {
          let json;
          try {
            json = JSONstringify(output);
          } catch (error) {
            return done('unserialisable', error);
          }
          if (json === undefined) json = 'null';
          if (json.length > outputLimit) return done('outputLimit', json.length);
          done('ok', json);
        }, function (error) {
          done('threw', error);
        });
      }
      then(resolve(moduleOrPromise), start, function (error) { done('load', error); });
    };
  };
})()`;
