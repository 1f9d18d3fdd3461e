import test from 'ava';
import { ErrorResponse, HTTP_STATUS_OF, LOCAL_ERROR_CODES, PathprobeError, RUN_STOPPING_ERROR_CODES, RecordedErrorCode, WIRE_ERROR_CODES, isWireErrorCode, recordedErrorCode } from '../../proto/errorCodes.js';

test('PathprobeError.from returns a PathprobeError as it is, code and all', (t) => {
  const original = new PathprobeError('ERR_BUSY', 'slot taken');
  t.is(PathprobeError.from(original), original);
  t.is(PathprobeError.from(original, 'ERR_PROBE_FAILED').code, 'ERR_BUSY');
});

test('PathprobeError.from wraps anything else in the fallback code and keeps it as the cause', (t) => {
  const plain = new TypeError('boom');
  const wrapped = PathprobeError.from(plain);
  t.is(wrapped.code, 'ERR_INTERNAL');
  t.is(wrapped.message, 'boom');
  t.is(wrapped.cause, plain);
  const thrownString = PathprobeError.from('socket gone', 'ERR_PROBE_FAILED');
  t.is(thrownString.code, 'ERR_PROBE_FAILED');
  t.is(thrownString.message, 'socket gone');
  t.is(thrownString.cause, 'socket gone');
});

test('every wire code has an HTTP status and no controller-local code has one', (t) => {
  for (const code of WIRE_ERROR_CODES) t.true(Number.isInteger(HTTP_STATUS_OF[code]) && HTTP_STATUS_OF[code] >= 400, code);
  for (const code of LOCAL_ERROR_CODES) {
    t.false(isWireErrorCode(code), code);
    t.false(code in HTTP_STATUS_OF, code);
  }
});

test('an error body may carry only a wire code', (t) => {
  t.true(ErrorResponse.safeParse({ v: 1, error: { code: 'ERR_BUSY', message: 'busy' } }).success);
  for (const code of LOCAL_ERROR_CODES) {
    t.false(ErrorResponse.safeParse({ v: 1, error: { code, message: 'x' } }).success, code);
  }
});

test('a controller-local code can still be raised by the controller', (t) => {
  t.is(new PathprobeError('ERR_USAGE', 'bad flag').code, 'ERR_USAGE');
  t.is(new PathprobeError('ERR_NOT_AN_AGENT', 'a proxy').code, 'ERR_NOT_AN_AGENT');
});

test('a code that stops the run (ERR_STORE) is no exit-less orphan: it is local, and an error record never carries it', (t) => {
  for (const code of RUN_STOPPING_ERROR_CODES) {
    t.true((LOCAL_ERROR_CODES as readonly string[]).includes(code), code);
    t.false(RecordedErrorCode.safeParse(code).success, code);
    t.is(recordedErrorCode(code), 'ERR_INTERNAL');
  }
  t.is(recordedErrorCode('ERR_AGENT_UNREACHABLE'), 'ERR_AGENT_UNREACHABLE');
});
