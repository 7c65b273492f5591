// SPDX-License-Identifier: MIT
/*
 * When a net's cells are due a refresh (aimc_net_set_refresh_policy()).
 * Cells drift from the moment they are programmed (emulator/README.md,
 * "Drift": g(t) = g_prog ((t + t0) / t0)^-nu), so a net measures its age
 * from its last programming or refresh on the clock its card's cells
 * drift by (job.h, aimc_drift_clock_ns()).  Past the policy's age the
 * net reports itself due; with AIMC_REFRESH_AUTO a stream refreshes it
 * before its next job.
 *
 * The default age, 10 s: at the device model's drift (aihwkit's PCM fit,
 * nu >= 0.049 at any conductance, t0 = 20 s) a cell at g_max = 25 uS
 * loses 2 %, the default 500 nS band, after 20 s (0.98^(-1/0.049) - 1) =
 * 10.3 s.  The sim's clock advances only by what the card does (about
 * 20 ms to program a digits model), so a sim net rarely gets there; a
 * card's cells drift in wall time.
 */
#include <errno.h>

#include "job.h"
#include "stream_internal.h"

void aimc_net_set_policy_default(struct aimc_net *net)
{
	net->policy.max_age_ns = AIMC_REFRESH_DEFAULT_AGE_NS;
	net->policy.flags = 0;
	net->policy.reserved = 0;
}

void aimc_net_mark_programmed(struct aimc_net *net)
{
	if (aimc_drift_clock_ns(net->dev, &net->programmed_at_ns))
		net->programmed_at_ns = 0;
	net->compensated_at_ns = net->programmed_at_ns;
}

void aimc_net_mark_compensated(struct aimc_net *net)
{
	if (aimc_drift_clock_ns(net->dev, &net->compensated_at_ns))
		net->compensated_at_ns = 0;
}

/* With AIMC_REFRESH_COMPENSATE: the reference, right after (re)programming. */
int aimc_net_policy_reference(struct aimc_net *net)
{
	if (!(net->policy.flags & AIMC_REFRESH_COMPENSATE))
		return 0;
	return aimc_deployment_compensate(net->dep, AIMC_COMPENSATE_REFERENCE);
}

int aimc_net_age_ns(const struct aimc_net *net, uint64_t *age_ns)
{
	uint64_t now;
	int ret = aimc_drift_clock_ns(net->dev, &now);

	if (ret)
		return ret;
	*age_ns = now > net->programmed_at_ns ? now - net->programmed_at_ns : 0;
	return 0;
}

bool aimc_net_refresh_due(const struct aimc_net *net)
{
	uint64_t age;

	return net->programmed && net->policy.max_age_ns &&
	       !aimc_net_age_ns(net, &age) && age >= net->policy.max_age_ns;
}

int aimc_net_auto_refresh(struct aimc_net *net)
{
	uint64_t now;
	int ret;

	if (net->policy.flags & AIMC_REFRESH_COMPENSATE) {
		if (!net->programmed || !net->policy.max_age_ns ||
		    aimc_drift_clock_ns(net->dev, &now) ||
		    now < net->compensated_at_ns + net->policy.max_age_ns)
			return 0;
		ret = aimc_deployment_compensate(net->dep,
						 net->policy.flags & AIMC_REFRESH_COMPENSATE_GLOBAL ?
						 AIMC_COMPENSATE_GLOBAL : 0);
		if (ret)
			return ret;
		net->compensations++;
		net->compensated_at_ns = now;
		return 0;
	}
	if (!(net->policy.flags & AIMC_REFRESH_AUTO) || !aimc_net_refresh_due(net))
		return 0;
	ret = aimc_deployment_refresh(net->dep, NULL, NULL);
	if (ret) {
		net->programmed = false;
		return ret;
	}
	net->refreshes++;
	aimc_net_mark_programmed(net);
	return 0;
}

int aimc_net_set_refresh_policy(struct aimc_net *net,
				const struct aimc_refresh_policy *policy)
{
	int ret = 0;

	aimc_api_begin();
	if (!net)
		ret = aimc_set_error(-EINVAL, "no net");
	else if (policy && policy->reserved)
		ret = aimc_set_error(-EINVAL, "policy: reserved is %u, must be 0",
				     policy->reserved);
	else if (policy && (policy->flags & ~(AIMC_REFRESH_AUTO | AIMC_REFRESH_COMPENSATE |
					      AIMC_REFRESH_COMPENSATE_GLOBAL)))
		ret = aimc_set_error(-EINVAL, "policy: unknown flags 0x%x",
				     policy->flags);
	else if (policy && (policy->flags & AIMC_REFRESH_AUTO) &&
		 (policy->flags & AIMC_REFRESH_COMPENSATE))
		ret = aimc_set_error(-EINVAL, "policy: AIMC_REFRESH_AUTO and AIMC_REFRESH_COMPENSATE exclude each other");
	else if (policy && (policy->flags & AIMC_REFRESH_COMPENSATE_GLOBAL) &&
		 !(policy->flags & AIMC_REFRESH_COMPENSATE))
		ret = aimc_set_error(-EINVAL, "policy: AIMC_REFRESH_COMPENSATE_GLOBAL needs AIMC_REFRESH_COMPENSATE");
	else if (policy)
		net->policy = *policy;
	else
		aimc_net_set_policy_default(net);
	/* a net programmed before the policy asked for compensation */
	if (!ret && net->programmed && policy && (policy->flags & AIMC_REFRESH_COMPENSATE))
		ret = aimc_deployment_compensate(net->dep, AIMC_COMPENSATE_REFERENCE);
	return aimc_api_end(__func__, ret);
}
