import { request, type APIRequestContext } from '@playwright/test';

/** An API client signed in as a demo user through Auth.js's own credentials flow. */
export async function apiAs(baseURL: string, email: string, password = 'sightline-demo'): Promise<APIRequestContext> {
  const api = await request.newContext({ baseURL });
  const { csrfToken } = (await (await api.get('/api/auth/csrf')).json()) as { csrfToken: string };
  const signedIn = await api.post('/api/auth/callback/credentials', {
    form: { email, password, csrfToken, callbackUrl: `${baseURL}/` },
    maxRedirects: 0,
  });
  if (signedIn.status() !== 302 || (signedIn.headers().location ?? '').includes('error=')) {
    throw new Error(`could not sign in ${email}: ${signedIn.status()} ${signedIn.headers().location}`);
  }
  return api;
}

/** Plans, authorises (second officer) and starts a deployment with the given cameras; returns it. */
export async function liveDeployment(
  baseURL: string,
  name: string,
  cameras: { name: string; source: { kind: string; url: string } }[],
): Promise<{ id: string; cameras: { id: string; name: string }[] }> {
  const officer = await apiAs(baseURL, 'officer@sightline.test');
  const officer2 = await apiAs(baseURL, 'officer2@sightline.test');
  const { watchlists } = (await (await officer.get('/api/watchlists')).json()) as { watchlists: { id: string; name: string }[] };
  const watchlistId = watchlists.find((w) => w.name === 'Demo — central London')!.id;
  const now = Date.now();
  const created = await officer.post('/api/deployments', {
    data: {
      name,
      zone: {
        type: 'Polygon',
        coordinates: [
          [
            [-0.144, 51.514],
            [-0.139, 51.514],
            [-0.139, 51.5165],
            [-0.144, 51.5165],
            [-0.144, 51.514],
          ],
        ],
      },
      startsAt: new Date(now - 60_000).toISOString(),
      endsAt: new Date(now + 4 * 3_600_000).toISOString(),
      locationRationale: 'End-to-end test: the person on the watchlist is expected at this crossing.',
      intelligenceCase: 'End-to-end test: sightings reported by the local team (test case).',
      necessityProportionality: 'End-to-end test: a short bounded window at one crossing with signage.',
      watchlistIds: [watchlistId],
      categories: ['wanted_by_court'],
      threshold: 0.5,
      verifyThreshold: 0.46,
      signageConfirmed: true,
    },
  });
  if (created.status() !== 201) throw new Error(`create: ${created.status()} ${await created.text()}`);
  const { id } = (await created.json()) as { id: string };
  for (const camera of cameras) {
    const added = await officer.post(`/api/deployments/${id}/cameras`, {
      data: { ...camera, lat: 51.5152, lng: -0.1415, heading: 0, fov: 60, rangeM: 25 },
    });
    if (added.status() !== 201) throw new Error(`camera: ${added.status()} ${await added.text()}`);
  }
  // The bundled recogniser never meets the default target: the plan goes ahead with a recorded reason.
  const overrideReason = 'End-to-end test: the bundled recogniser cannot meet the target.';
  for (const [api, step] of [
    [officer, 'submit'],
    [officer2, 'authorise'],
    [officer, 'start'],
  ] as const) {
    const response = await api.post(`/api/deployments/${id}/${step}`, { data: step === 'start' ? {} : { overrideReason } });
    if (response.status() !== 200) throw new Error(`${step}: ${response.status()} ${await response.text()}`);
  }
  const deployment = (await (await officer.get(`/api/deployments/${id}`)).json()) as { id: string; cameras: { id: string; name: string }[] };
  await Promise.all([officer.dispose(), officer2.dispose()]);
  return deployment;
}
