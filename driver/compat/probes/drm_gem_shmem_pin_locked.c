// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * HAVE_DRM_GEM_SHMEM_PIN_LOCKED: the shmem helpers' pages are protected by
 * the object's reservation lock, with _locked variants for a caller that
 * holds it (6.8); before, by a lock of the helper's own.
 */
#include <drm/drm_gem_shmem_helper.h>

static int __maybe_unused probe(struct drm_gem_shmem_object *shmem)
{
	return drm_gem_shmem_pin_locked(shmem);
}
