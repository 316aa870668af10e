package dev.copyservices.cli;

import dev.copyservices.api.agent.v1.AttachVolumeRequest;
import dev.copyservices.api.agent.v1.CreateVolumeRequest;
import dev.copyservices.api.agent.v1.DeleteVolumeRequest;
import dev.copyservices.api.agent.v1.DeleteVolumeResponse;
import dev.copyservices.api.agent.v1.DetachVolumeRequest;
import dev.copyservices.api.agent.v1.GetVolumeRequest;
import dev.copyservices.api.agent.v1.ListVolumesRequest;
import dev.copyservices.api.agent.v1.ListVolumesResponse;
import dev.copyservices.api.agent.v1.ResizeVolumeRequest;
import dev.copyservices.api.agent.v1.UpdateVolumeRequest;
import dev.copyservices.api.agent.v1.Volume;
import dev.copyservices.api.agent.v1.VolumeKind;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code csctl volume ...}: one command per VolumeService RPC. Validation that needs the array's state
 * (name rules, size alignment, limits) is left to the agent, so there is one source of truth for it.
 */
@Command(name = "volume", description = "Create, list, inspect, resize, change, attach and delete volumes.")
final class VolumeCommands extends CommandGroup {

    private static final String NAME_HELP = "Volume name: 1-30 letters, digits, '-', '_', '.' or spaces"
            + " (quote names with spaces).";
    private static final String SIZE_HELP = "Size in bytes or binary units, e.g. 512MiB, 10GiB, 1.5TiB.";

    @Command(name = "create", description = "Create a volume. Creating it again with the same size is a no-op.")
    int create(
            @Parameters(paramLabel = "NAME", description = NAME_HELP) String name,
            @Option(names = "--size", required = true, paramLabel = "SIZE", converter = Converters.Size.class,
                    description = SIZE_HELP) long size,
            @Option(names = "--read-only", arity = "0..1", paramLabel = "true|false", fallbackValue = "true",
                    description = "Export the volume read-only.") boolean readOnly,
            @Option(names = "--attribute", paramLabel = "KEY=VALUE",
                    description = "A key/value pair to store with the volume; repeatable.") Map<String, String> attributes) {
        CreateVolumeRequest request = CreateVolumeRequest.newBuilder()
                .setName(name)
                .setSizeBytes(size)
                .setReadOnly(readOnly)
                .putAllAttributes(checked(attributes, "create"))
                .build();
        Volume volume = root.client().volumes().createVolume(request);
        confirm(volume, "created: " + Output.bytes(volume.getSizeBytes()) + (volume.getReadOnly() ? ", read-only" : ""));
        return 0;
    }

    @Command(name = "list", description = "List volumes, optionally only those carrying all given attributes.")
    int list(@Option(names = "--attribute", paramLabel = "KEY=VALUE",
            description = "Only volumes with this attribute; repeatable (all must match).") Map<String, String> selector) {
        ListVolumesResponse response = root.client().volumes().listVolumes(ListVolumesRequest.newBuilder()
                .putAllAttributeSelector(checked(selector, "list"))
                .build());
        Output out = root.output();
        if (out.structured()) {
            out.document(response);
        } else if (response.getVolumesCount() == 0) {
            root.notes().println(selector == null || selector.isEmpty() ? "no volumes" : "no volumes with these attributes");
            root.notes().flush();
        } else {
            out.print(table(response.getVolumesList()));
        }
        return 0;
    }

    @Command(name = "show", description = "Show every field of a volume.")
    int show(@Parameters(paramLabel = "NAME", description = NAME_HELP) String name,
            @picocli.CommandLine.Mixin Watch.Options watching) {
        Output out = root.output();
        if (watching.watch) {
            return Watch.run(out, watching.interval, () -> root.client().volumes().getVolume(GetVolumeRequest
                    .newBuilder().setName(name).build()), VolumeCommands::render);
        }
        Volume volume = root.client().volumes().getVolume(GetVolumeRequest.newBuilder().setName(name).build());
        if (out.structured()) {
            out.document(volume);
        } else {
            out.print(render(volume));
        }
        return 0;
    }

    @Command(name = "resize", description = "Grow a volume. Its current size is a no-op; shrinking is refused.")
    int resize(
            @Parameters(paramLabel = "NAME", description = NAME_HELP) String name,
            @Option(names = "--size", required = true, paramLabel = "SIZE", converter = Converters.Size.class,
                    description = "The new size. " + SIZE_HELP) long size) {
        Volume volume = root.client().volumes().resizeVolume(ResizeVolumeRequest.newBuilder()
                .setName(name)
                .setSizeBytes(size)
                .build());
        confirm(volume, "resized: " + Output.bytes(volume.getSizeBytes()));
        return 0;
    }

    @Command(name = "set", description = "Change a volume's access mode or attributes.")
    int set(
            @Parameters(paramLabel = "NAME", description = NAME_HELP) String name,
            @Option(names = "--read-only", arity = "1", paramLabel = "true|false",
                    description = "Make the volume read-only (true) or read-write (false).") Boolean readOnly,
            @Option(names = "--attribute", paramLabel = "KEY=VALUE",
                    description = "Add or replace an attribute; repeatable.") Map<String, String> attributes,
            @Option(names = "--remove-attribute", paramLabel = "KEY",
                    description = "Remove an attribute; repeatable.") List<String> removals) {
        Map<String, String> set = checked(attributes, "set");
        List<String> remove = removals == null ? List.of() : removals;
        if (readOnly == null && set.isEmpty() && remove.isEmpty()) {
            throw usage("set", "nothing to change: give --read-only, --attribute or --remove-attribute");
        }
        for (String key : remove) {
            if (set.containsKey(key)) {
                throw usage("set", "attribute '" + key + "' is both set and removed; choose one");
            }
        }
        UpdateVolumeRequest.Builder request = UpdateVolumeRequest.newBuilder()
                .setName(name)
                .putAllSetAttributes(set)
                .addAllRemoveAttributes(remove);
        if (readOnly != null) {
            request.setReadOnly(readOnly);
        }
        Volume volume = root.client().volumes().updateVolume(request.build());
        confirm(volume, "updated: " + access(volume) + ", attributes: " + attributes(volume, ", "));
        return 0;
    }

    @Command(name = "attach", description = "Attach a volume to a host: NBD clients at the host's addresses may then"
            + " open its export, and no others may. Attaching a host again replaces its addresses.")
    int attach(
            @Parameters(paramLabel = "NAME", description = NAME_HELP) String name,
            @Option(names = "--host", required = true, paramLabel = "HOST",
                    description = "The host's name, e.g. its Kubernetes node name.") String host,
            @Option(names = "--address", required = true, paramLabel = "IP",
                    description = "An IP address the host's NBD client connects from; repeatable.") List<String> addresses) {
        Volume volume = root.client().volumes().attachVolume(AttachVolumeRequest.newBuilder()
                .setName(name)
                .setHost(host)
                .addAllAddresses(addresses)
                .build());
        confirm(volume, "attached to " + attachments(volume, ", "));
        return 0;
    }

    @Command(name = "detach", description = "Detach a volume from a host; the host's NBD connections to it are closed."
            + " A host that is not attached is fine.")
    int detach(
            @Parameters(paramLabel = "NAME", description = NAME_HELP) String name,
            @Option(names = "--host", required = true, paramLabel = "HOST", description = "The host to detach.")
            String host) {
        Volume volume = root.client().volumes().detachVolume(DetachVolumeRequest.newBuilder()
                .setName(name)
                .setHost(host)
                .build());
        confirm(volume, "detached from " + quoted(host) + "; attached to " + attachments(volume, ", "));
        return 0;
    }

    @Command(name = "delete", description = "Delete a volume and its data.")
    int delete(
            @Parameters(paramLabel = "NAME", description = NAME_HELP) String name,
            @Option(names = "--force", description = "Delete even while NBD clients are connected;"
                    + " their connections are closed.") boolean force) {
        DeleteVolumeResponse response = root.client().volumes().deleteVolume(DeleteVolumeRequest.newBuilder()
                .setName(name)
                .setForce(force)
                .build());
        Output out = root.output();
        if (out.structured()) {
            out.document(response);
        } else {
            out.line("volume " + quoted(name) + " deleted");
        }
        return 0;
    }

    /** The table form of {@code volume list}, sorted by name. */
    static String table(List<Volume> volumes) {
        Output.Table table = new Output.Table("NAME", "KIND", "SIZE", "ALLOCATED", "ACCESS", "CONNECTIONS");
        volumes.stream()
                .sorted(Comparator.comparing(Volume::getName))
                .forEach(v -> table.row(v.getName(), kindAndBase(v), Output.bytes(v.getSizeBytes()),
                        Output.bytes(v.getAllocatedBytes()), access(v), Integer.toUnsignedString(v.getNbdConnections())));
        return table.render();
    }

    /** The table form of {@code volume show}. */
    static String render(Volume v) {
        Output.Details details = new Output.Details()
                .field("Name", v.getName())
                .field("ID", Output.orDash(v.getId()))
                .field("Kind", kind(v));
        if (v.getKind() == VolumeKind.FLASHCOPY) {
            details.field("Base", Output.orDash(v.getBase()));
        }
        // near the top: whoever reads this volume must know first that its content is not a whole image
        if (!v.getIncompleteCopy().isEmpty()) {
            details.field("Incomplete copy", v.getIncompleteCopy());
        }
        details.field("Size", Output.bytes(v.getSizeBytes()) + " (" + Long.toUnsignedString(v.getSizeBytes()) + " bytes)")
                .field("Allocated", Output.bytes(v.getAllocatedBytes()))
                .field("Access", access(v));
        // read_only says what the volume is set to; this says why hosts may do less than that right now
        if (!v.getAccessRestriction().isEmpty()) {
            details.field("Access restriction", v.getAccessRestriction());
        }
        return details
                .field("Connections", Integer.toUnsignedString(v.getNbdConnections()))
                .field("Attached to", attachments(v, "\n"))
                .field("Created", Output.time(v.hasCreated(), v.getCreated()))
                .field("Attributes", attributes(v, "\n"))
                .render();
    }

    /** DS4000 words: a "standard" volume has its own data; a FlashCopy is an image of its base. */
    private static String kind(Volume v) {
        return switch (v.getKind()) {
            case STANDARD -> "standard";
            case FLASHCOPY -> "FlashCopy";
            // a kind from a newer agent: say so rather than pass it off as standard
            case UNRECOGNIZED -> "unknown (" + v.getKindValue() + ")";
        };
    }

    /** The list names the base in the same cell, so a FlashCopy's origin is visible without a second column. */
    private static String kindAndBase(Volume v) {
        return v.getKind() == VolumeKind.FLASHCOPY ? "FlashCopy of " + Output.orDash(v.getBase()) : kind(v);
    }

    /** The volume's own setting, and what hosts get now when a copy service restricts them further. */
    private static String access(Volume v) {
        String restriction = v.getAccessRestriction();
        if (v.getReadOnly()) {
            return restriction.contains("no host I/O") ? "read-only (no host I/O now)" : "read-only";
        }
        if (restriction.contains("no host I/O")) {
            return "read-write (no host I/O now)";
        }
        return restriction.isEmpty() ? "read-write" : "read-write (read-only now)";
    }

    /** Each host with its addresses, e.g. "node-1 (10.0.0.1, fd00::1)"; "-" when attached to none. */
    private static String attachments(Volume v, String separator) {
        if (v.getAttachmentsCount() == 0) {
            return "-";
        }
        return v.getAttachmentsList().stream()
                .map(a -> a.getHost() + " (" + String.join(", ", a.getAddressesList()) + ")")
                .collect(Collectors.joining(separator));
    }

    private static String attributes(Volume v, String separator) {
        if (v.getAttributesCount() == 0) {
            return "-";
        }
        return new TreeMap<>(v.getAttributesMap()).entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(separator));
    }

    private void confirm(Volume volume, String what) {
        confirm(volume, "volume", volume.getName(), what);
    }
}
