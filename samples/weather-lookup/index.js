// Current weather from an Open-Meteo compatible API. The base URL comes from the installation's
// config, and ctx.fetch only reaches the hosts granted from "permissions.network".

const DEFAULT_BASE_URL = 'https://api.open-meteo.com';

function baseUrl(ctx) {
  const configured = ctx.config && typeof ctx.config.baseUrl === 'string' ? ctx.config.baseUrl : DEFAULT_BASE_URL;
  return configured.replace(/\/+$/, '');
}

function forecastUrl(ctx, latitude, longitude) {
  const query = [
    'latitude=' + encodeURIComponent(String(latitude)),
    'longitude=' + encodeURIComponent(String(longitude)),
    'current=' + encodeURIComponent('temperature_2m,wind_speed_10m,weather_code'),
  ].join('&');
  return baseUrl(ctx) + '/v1/forecast?' + query;
}

async function getJson(ctx, url) {
  const response = await ctx.fetch(url, { headers: { accept: 'application/json' } });
  if (response.status !== 200) throw new Error('weather API answered HTTP ' + response.status + ' for ' + url);
  try {
    return JSON.parse(response.body);
  } catch {
    throw new Error('weather API answered something that is not JSON: ' + response.body.slice(0, 100));
  }
}

async function currentWeather(input, ctx) {
  const { latitude, longitude } = input;
  if (typeof latitude !== 'number' || typeof longitude !== 'number') throw new Error('input.latitude and input.longitude must be numbers');
  const data = await getJson(ctx, forecastUrl(ctx, latitude, longitude));
  const current = data && data.current;
  if (!current || typeof current.temperature_2m !== 'number') throw new Error('weather API response has no current.temperature_2m');
  ctx.log('weather for', latitude, longitude, 'at', current.time);
  return {
    label: typeof input.label === 'string' ? input.label : latitude + ',' + longitude,
    latitude,
    longitude,
    temperatureC: current.temperature_2m,
    windSpeedKmh: typeof current.wind_speed_10m === 'number' ? current.wind_speed_10m : null,
    weatherCode: typeof current.weather_code === 'number' ? current.weather_code : null,
    observedAt: String(current.time),
    source: 'open-meteo',
  };
}

export default {
  tools: { currentWeather },
  async healthCheck(ctx) {
    // The plugin is only as healthy as its upstream: probe it with a cheap request.
    await getJson(ctx, forecastUrl(ctx, 0, 0));
    return { ok: true };
  },
};
