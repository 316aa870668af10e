package dev.copyservices.operator.mirror;

import dev.copyservices.crds.mirror.MirrorRole;
import dev.copyservices.crds.mirror.RemoteMirror;
import dev.copyservices.crds.mirror.WriteMode;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Applies the spec edits to the resource object itself, as the API server would, and records them. */
class RecordingMirrorSpecs implements MirrorSpecs {
    final List<String> edits = new CopyOnWriteArrayList<>();
    final List<RemoteMirror> created = new CopyOnWriteArrayList<>();

    @Override
    public void followRole(RemoteMirror resource, MirrorRole role) {
        edits.add("followRole " + role);
        resource.getSpec().setRole(role);
        resource.getSpec().setForce(false);
    }

    @Override
    public void followSettings(RemoteMirror resource, Settings settings) {
        edits.add("followSettings " + settings);
        resource.getSpec().setWriteMode(settings.writeMode());
        resource.getSpec().setConsistencyGroup(settings.consistencyGroup());
        resource.getSpec().setSyncPriority(settings.syncPriority());
        resource.getSpec().setResyncMethod(settings.resyncMethod());
        resource.getSpec().setSuspended(settings.suspended());
        if (settings.writeMode() == WriteMode.Synchronous) {
            resource.getSpec().setRpoObjectiveSeconds(null);
        }
    }

    @Override
    public void delete(RemoteMirror resource) {
        edits.add("delete " + resource.getMetadata().getName());
    }

    @Override
    public void create(RemoteMirror resource) {
        created.add(resource);
    }
}
