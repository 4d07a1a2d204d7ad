/**
 * Sightline's Node entry: one HTTP server on one port serving Next.js and socket.io.
 * Every HTTP request passes lib/http/request-guard.ts first (client address, security headers,
 * cross-origin refusals); socket.io's requests are checked in lib/realtime/server.ts.
 * Start-up order: configuration (incl. map tiles) → migrations → recognisers (face worker threads) → Next → socket.io →
 * scheduled jobs → listen.
 */
import { createServer } from 'node:http';
import next from 'next';
import { prepareAuthSecret } from './lib/config/auth-secret';
import { serverEnv } from './lib/config/env';
import { resolveDatabaseUrl } from './lib/db/url';
import { applyMigrations } from './lib/db/migrate';
import { disconnectDb } from './lib/db/client';
import { startDeploymentScheduler } from './lib/deployments/jobs';
import { startAlertScheduler } from './lib/alerts/jobs';
import { flushFaceCounts } from './lib/live/face-counts';
import { guardRequest } from './lib/http/request-guard';
import { answerProbeDirectly, directProbeDeployment } from './lib/live/http-probes';
import { configuredMapTiles, mapTileOrigin } from './lib/config/map';
import { attachRealtime } from './lib/realtime/server';
import { createRealtimeTransport } from './lib/db/realtime-adapter';
import { startSessionHousekeeping } from './lib/sessions/jobs';
import { describeMapTiles } from './lib/map/tiles';
import { backfillTemplates } from './lib/recognition/backfill';
import { failInterruptedCalibrations } from './lib/recognition/calibration-jobs';
import { checkRecognisers, enabledEngines } from './lib/recognition/engines';
import { purgeTemplatesOfStoppedRecognisers } from './lib/watchlists/mutations';
import { closeFaceLanes } from './lib/recognition/pool';

async function main() {
  const env = serverEnv();
  // socket.io's debug output prints every packet — probes of passers-by included. Never run so.
  if (/socket\.io|engine|\*/.test(process.env.DEBUG ?? '')) {
    throw new Error('Refusing to start with DEBUG covering socket.io: it would log the faces in probes. Unset DEBUG.');
  }
  const dev = env.NODE_ENV !== 'production';
  // The demo (npm run demo) runs a production build on a generated secret kept in data/.
  const secret = prepareAuthSecret({ production: !dev, allowGenerated: dev || process.env.SIGHTLINE_DEMO === '1' });

  // Next prepares (reads its build, runs next.config) while the face workers load their models
  // below: the two are independent, and doing them one after the other made every start seconds
  // longer. A failed start still exits through main's catch.
  const app = next({ dev, hostname: env.HOST, port: env.PORT, turbopack: dev });
  const preparing = app.prepare();
  preparing.catch(() => undefined); // awaited below; a rejection before then is not unhandled

  // A configured tile archive that cannot be read stops the start, naming the file and the fault.
  console.log(`[map] ${await describeMapTiles()}`);

  const { applied } = await applyMigrations({ databaseUrl: resolveDatabaseUrl(), log: () => {} });
  if (applied.length) console.log(`[db] applied migrations: ${applied.join(', ')}`);

  // A configured ONNX recogniser that is missing or does not match its manifest stops the start;
  // the face worker threads load their models now rather than on the first upload or candidate.
  console.log(`[recognition] ${await checkRecognisers()}`);
  const purged = await purgeTemplatesOfStoppedRecognisers(enabledEngines().map(({ manifest }) => ({ engineId: manifest.id, engineVersion: manifest.version })));
  if (purged) console.log(`[recognition] deleted ${purged} templates of recognisers no longer running (audited)`);
  const interrupted = await failInterruptedCalibrations();
  if (interrupted) console.log(`[recognition] ${interrupted} calibration run(s) interrupted by the last stop marked failed`);
  // Templates of recognisers enabled since photos were enrolled: computed in the background.
  void backfillTemplates().catch((error: unknown) => console.error('[recognition] template backfill failed', error));

  const handle = app.getRequestHandler();
  await preparing;
  const handleUpgrade = app.getUpgradeHandler();

  // What the Content-Security-Policy allows besides this origin: known at start-up.
  const policySources = { dev, tileOrigin: mapTileOrigin(configuredMapTiles()), cameraOrigins: env.CAMERA_ORIGINS };
  const httpServer = createServer((req, res) => {
    // Client address, security headers, and cross-origin changes refused before Next sees them.
    if (guardRequest(req, res, env, policySources)) return;
    // Probes sent over HTTP skip Next's route stack (lib/live/http-probes.ts says why).
    const probeDeployment = directProbeDeployment(req);
    if (probeDeployment !== null) {
      answerProbeDirectly(req, res, probeDeployment).catch((error: unknown) => {
        // (its name only: an error's message may quote the probe it was handling)
        console.error('[api] could not answer a probe:', error instanceof Error ? error.name : typeof error);
        res.destroy();
      });
      return;
    }
    void handle(req, res);
  });

  // Several instances behind one address share events through an adapter (SIGHTLINE_ADAPTER).
  const transport = await createRealtimeTransport(env);
  if (transport.kind !== 'none')
    console.log(`[cluster] realtime events shared through ${transport.kind === 'redis' ? 'Redis streams' : 'PostgreSQL LISTEN/NOTIFY'}`);
  const io = attachRealtime(httpServer, { secret, transport });
  // Ends deployments whose window closed and purges their snapshots: now, then every minute.
  const stopHousekeeping = startDeploymentScheduler();
  // Lapsed claims, alert image retention and face counts: every 30 seconds.
  const stopAlertJobs = startAlertScheduler();
  // Session records a month past their end: hourly.
  const stopSessionJobs = startSessionHousekeeping();
  // socket.io handles its own path; every other upgrade (Next's hot reload) goes to Next.
  httpServer.on('upgrade', (req, socket, head) => {
    if (!req.url?.startsWith('/socket.io/')) void handleUpgrade(req, socket, head);
  });

  httpServer.listen(env.PORT, env.HOST, () => {
    const shownHost = env.HOST === '127.0.0.1' || env.HOST === '0.0.0.0' ? 'localhost' : env.HOST;
    console.log(`Sightline ready on http://${shownHost}:${env.PORT} (${dev ? 'development' : 'production'})`);
  });

  const shutdown = (signal: string) => {
    console.log(`[server] ${signal}: shutting down`);
    void stopHousekeeping();
    void stopAlertJobs();
    void stopSessionJobs();
    void io.close();
    const lanesClosed = closeFaceLanes();
    // Counts of the current minute are written too: nothing counted is lost on a restart.
    const flushed = flushFaceCounts(new Date(Date.now() + 60_000)).catch((error: unknown) => console.error('[server] face counts not saved', error));
    httpServer.close(
      () =>
        void Promise.all([flushed, lanesClosed])
          .then(() => Promise.all([disconnectDb(), transport.close()]))
          .finally(() => process.exit(0)),
    );
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch(async (error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  await closeFaceLanes().catch(() => undefined);
  process.exit(1);
});
