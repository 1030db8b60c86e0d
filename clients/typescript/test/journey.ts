/**
 * An admin's and a patient's journey through the live API, written against the client's
 * types: `tsc --noEmit` (strict) checks this file, so it also proves the types fit real use.
 * Run by client.test.mjs, which compiles it; the API must already be running.
 *
 * The fuzzer runs first and may have deactivated or reshaped the demo doctors and services,
 * so the admin provisions a service and a doctor of this run's own (with the demo doctors'
 * working hours), and the patient finds and books them through the API.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { TestContext } from 'node:test';

import {
  ApiProblem,
  createAppointment,
  createService,
  createSilverStarClient,
  createUser,
  getCurrentUser,
  getDoctorAvailability,
  getTwilioConfig,
  listAppointments,
  listDoctors,
  listServices,
  login,
  registerPatient,
  replaceDoctorSchedule,
  unwrap,
  updateAppointment,
  type Appointment,
  type Problem,
  type Slot,
  type TwilioConfig,
  type User,
  type WorkingInterval,
} from '../libs/api.js';

const DEMO_PASSWORD = 'silverstar-demo';
const ADMIN_EMAIL = 'admin@silverstar.test';
const DAY_MS = 24 * 60 * 60 * 1000;
// The demo doctors' hours: Monday to Friday 09:00–12:30 and 13:30–17:00 (Europe/Berlin).
const WEEKLY_HOURS: WorkingInterval[] = [1, 2, 3, 4, 5].flatMap((weekday) => [
  { weekday, start: '09:00', end: '12:30' },
  { weekday, start: '13:30', end: '17:00' },
]);

/** A doctor and a service the patient can book. */
export interface Bookable {
  doctorId: string;
  serviceId: string;
}

/** The demo admin reads the masked Twilio settings, then sets up a bookable doctor and service. */
export async function adminJourney(t: TestContext, baseUrl: string): Promise<Bookable> {
  const api = createSilverStarClient({ baseUrl });
  const run = randomUUID().slice(0, 8);

  await t.test('log in as the demo admin', async () => {
    const token = await api.session.login({ email: ADMIN_EMAIL, password: DEMO_PASSWORD });
    assert.equal(token.user.role, 'admin');
    assert.equal(unwrap(await getCurrentUser({ client: api })).email, ADMIN_EMAIL);
  });

  await t.test('read the Twilio settings: the token is masked', async () => {
    const twilio: TwilioConfig = unwrap(await getTwilioConfig({ client: api }));
    assert.ok(['database', 'environment', 'none'].includes(twilio.source));
    if (twilio.configured) {
      assert.ok(twilio.authToken, 'a configured token is shown masked');
      // 32 characters: bullets, then at most the last 4 characters of the token.
      assert.match(twilio.authToken, /^(•{28}[^•]{4}|•{32})$/);
    } else {
      assert.equal(twilio.authToken, null);
    }
  });

  const bookable: Bookable = { doctorId: '', serviceId: '' };
  await t.test('set up a service and a doctor offering it, with weekly hours', async () => {
    const service = unwrap(
      await createService({
        client: api,
        body: { name: `TS client check-up ${run}`, durationMinutes: 30, price: '50.00' },
      }),
    );
    assert.equal(service.currency, 'EUR', 'the contract default');
    const doctor = unwrap(
      await createUser({
        client: api,
        body: {
          email: `ts-client-doctor-${run}@example.com`,
          password: `pw-${randomUUID()}`,
          name: `Dr. TS Client ${run}`,
          role: 'doctor',
          specialty: 'General practice',
          serviceIds: [service.id],
        },
      }),
    );
    const schedule = unwrap(
      await replaceDoctorSchedule({
        client: api,
        path: { doctorId: doctor.id },
        body: { weeklyHours: WEEKLY_HOURS, timeOff: [] },
      }),
    );
    assert.deepEqual(schedule.serviceIds, [service.id]);
    bookable.doctorId = doctor.id;
    bookable.serviceId = service.id;
  });
  return bookable;
}

/** Register, login, me, doctors and services, availability, book, list own appointments, cancel. */
export async function patientJourney(t: TestContext, baseUrl: string, bookable: Bookable): Promise<void> {
  const api = createSilverStarClient({ baseUrl });

  const email = `ts-client-${randomUUID()}@example.com`;
  const password = `pw-${randomUUID()}`;

  await t.test('a secured call without a token is a typed 401 problem', async () => {
    const { data, error, response } = await getCurrentUser({ client: api });
    assert.equal(data, undefined);
    assert.ok(error instanceof ApiProblem, 'errors surface as ApiProblem');
    const problem: Problem = error;
    assert.equal(problem.status, 401);
    assert.equal(response.status, 401);
    assert.match(response.headers.get('content-type') ?? '', /application\/problem\+json/);
  });

  await t.test('register a new patient', async () => {
    const registered = unwrap(
      await registerPatient({ client: api, body: { email, password, name: 'TS Client Patient' } }),
    );
    assert.equal(registered.token_type, 'bearer');
    assert.equal(registered.user.role, 'patient');
    assert.equal(registered.user.email, email);
  });

  await t.test('registering the same email again is a 409 problem', async () => {
    const { error } = await registerPatient({ client: api, body: { email, password, name: 'Again' } });
    assert.ok(error);
    assert.equal(error.status, 409);
    assert.equal(typeof error.title, 'string');
  });

  await t.test('log in', async () => {
    const token = unwrap(await login({ client: api, body: { email, password } }));
    assert.ok(token.access_token.length > 20);
    api.session.adopt(token);
  });

  let me: User | undefined;
  await t.test('me', async () => {
    me = unwrap(await getCurrentUser({ client: api }));
    assert.equal(me.email, email);
    assert.equal(me.role, 'patient');
    assert.equal(me.isActive, true);
  });

  await t.test('list doctors and services', async () => {
    const services = unwrap(await listServices({ client: api, query: { limit: 100 } })).items;
    assert.ok(services.some((s) => s.id === bookable.serviceId && s.active), 'the service is listed');
    const doctors = unwrap(await listDoctors({ client: api, query: { serviceId: bookable.serviceId } })).items;
    assert.deepEqual(
      doctors.map((d) => d.id),
      [bookable.doctorId],
      'the doctor offering the service',
    );
    assert.equal(doctors[0]?.timezone, 'Europe/Berlin');
  });

  let booked: Appointment | undefined;
  await t.test('find a free slot in the next 14 days and book it', async () => {
    // Booking needs 60 minutes' notice; start looking a little later than that.
    const from = new Date(Date.now() + 90 * 60 * 1000).toISOString();
    const to = new Date(Date.now() + 14 * DAY_MS).toISOString();
    const availability = unwrap(
      await getDoctorAvailability({
        client: api,
        path: { doctorId: bookable.doctorId },
        query: { serviceId: bookable.serviceId, from, to },
      }),
    );
    const slots: Slot[] = availability.items;
    assert.ok(slots.length > 0, 'free slots within 14 days');
    for (const slot of slots.slice(0, 5)) {
      const { data, error } = await createAppointment({
        client: api,
        body: {
          doctorId: bookable.doctorId,
          serviceId: bookable.serviceId,
          startTime: slot.startTime,
          type: 'in_person',
        },
      });
      if (data) {
        booked = data;
        return;
      }
      // Only a slot taken in the meantime is worth another try.
      assert.equal(error.status, 409, `booking failed: ${JSON.stringify(error)}`);
    }
    assert.fail('none of the first 5 free slots could be booked');
  });

  await t.test('the booking is in my appointments', async () => {
    assert.ok(booked && me);
    assert.equal(booked.patientId, me.id);
    assert.equal(booked.status, 'scheduled');
    const page = unwrap(await listAppointments({ client: api, query: { limit: 100 } }));
    assert.ok(
      page.items.some((a) => a.id === booked?.id),
      'the new appointment is listed',
    );
    assert.ok(
      page.items.every((a) => a.patientId === me?.id),
      'a patient sees only their own',
    );
  });

  await t.test('cancel it', async () => {
    assert.ok(booked);
    const cancelled = unwrap(
      await updateAppointment({
        client: api,
        path: { appointmentId: booked.id },
        body: { status: 'cancelled' },
      }),
    );
    assert.equal(cancelled.status, 'cancelled');
  });

  await t.test('confirming a cancelled appointment is a 409 problem with `allowed`', async () => {
    const appointmentId = booked?.id;
    assert.ok(appointmentId);
    await assert.rejects(
      async () =>
        unwrap(await updateAppointment({ client: api, path: { appointmentId }, body: { status: 'confirmed' } })),
      (err: unknown) => {
        assert.ok(err instanceof ApiProblem);
        assert.equal(err.status, 409);
        assert.deepEqual(err.allowed, []);
        return true;
      },
    );
  });

  await t.test('a patient may not read the Twilio settings (403 problem)', async () => {
    const { error } = await getTwilioConfig({ client: api });
    assert.ok(error);
    assert.equal(error.status, 403);
  });
}
