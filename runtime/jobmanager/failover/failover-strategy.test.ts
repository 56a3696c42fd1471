import { onDeployFailure, onTaskFailure } from './failover-strategy.ts';

const slots = [{ taskManagerId: 'tm-a', address: 'tm-a:1' }, { taskManagerId: 'tm-b', address: 'tm-b:1' }];
const refused = (address: string) => `MR_ERR_CHANNEL_FAILED: connection to ${address} lost: connect ECONNREFUSED ${address}`;

describe('failover strategy: which failure restarts all tasks', () => {
  test('a task refused by the data port of a slot of its attempt: deploy again without that TaskManager, uncounted', () => {
    expect(onTaskFailure(refused('tm-b:1'), slots)).toEqual({ kind: 'redeploy-without', taskManagerId: 'tm-b', cause: refused('tm-b:1') });
  });

  test('a refused address outside the attempt, a broken (not refused) connection and a user error restart all tasks', () => {
    expect(onTaskFailure(refused('tm-gone:1'), slots)).toEqual({ kind: 'restart-all', cause: refused('tm-gone:1') });
    const broken = 'MR_ERR_CHANNEL_FAILED: connection to tm-b:1 lost';
    expect(onTaskFailure(broken, slots)).toEqual({ kind: 'restart-all', cause: broken });
    expect(onTaskFailure('MR_TEST_FAILURE: user code threw', slots)).toEqual({ kind: 'restart-all', cause: 'MR_TEST_FAILURE: user code threw' });
    expect(onTaskFailure(undefined, slots)).toEqual({ kind: 'restart-all', cause: 'task failed' });
  });

  test('a deployment the TaskManager does not answer: deploy again without it, also for an older attempt', () => {
    const down = new Error('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:1') });
    const deploy = { task: 'Source (1/2)', taskManagerId: 'tm-b', attempt: 1 };
    const cause = 'MR_ERR_DEPLOY_FAILED: deploying Source (1/2) to tm-b failed: fetch failed';
    expect(onDeployFailure(down, deploy, 1)).toEqual({ kind: 'redeploy-without', taskManagerId: 'tm-b', cause });
    expect(onDeployFailure(down, deploy, 2)).toEqual({ kind: 'redeploy-without', taskManagerId: 'tm-b', cause });
  });

  test('a deployment the TaskManager rejects is a failure of its attempt only', () => {
    const rejected = new Error('MR_ERR_JOB_LOAD: cannot import the job');
    const deploy = { task: 'Source (2/2)', taskManagerId: 'tm-a', attempt: 1 };
    expect(onDeployFailure(rejected, deploy, 1)).toEqual({ kind: 'restart-all', cause: 'MR_ERR_DEPLOY_FAILED: deploying Source (2/2) to tm-a failed: MR_ERR_JOB_LOAD: cannot import the job' });
    expect(onDeployFailure(rejected, deploy, 2)).toBeUndefined();
  });
});
