// Who a token belongs to, asked of the API server as that token: a SelfSubjectReview
// (authentication.k8s.io/v1, GA since Kubernetes 1.28) is allowed to every authenticated user,
// so the console needs no TokenReview privilege, and a token the API server refuses is refused here.
import { KubeApiError, type KubeRest } from '../../kube/rest-client.ts';
import { ConsoleError } from '../errors.ts';

export interface Identity { name: string; groups: string[]; uid?: string }

export async function whoAmI(kube: KubeRest): Promise<Identity> {
  try {
    const review = await kube.request<{ status?: { userInfo?: { username?: string; groups?: string[]; uid?: string } } }>(
      'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
    const info = review.status?.userInfo;
    if (!info?.username) throw new ConsoleError('MR_ERR_CONSOLE_TOKEN_INVALID', 'the API server returned no user for this token');
    return { name: info.username, groups: info.groups ?? [], uid: info.uid };
  } catch (e) {
    if (e instanceof KubeApiError && e.status === 401) throw new ConsoleError('MR_ERR_CONSOLE_TOKEN_INVALID', 'the Kubernetes API server did not accept this token (expired, revoked or for another cluster); get a new one, for example `kubectl create token <service-account>`');
    throw e;
  }
}
