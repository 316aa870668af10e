package dev.copyservices.crds.mirror;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.copyservices.crds.common.Patterns;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** The other member of the pair, at the other site: this operator cannot see that site's resources. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MirrorPeer {
    @JsonPropertyDescription("The other site's name.")
    @Required
    @Pattern(Patterns.SITE_NAME)
    private String site;

    @JsonPropertyDescription("HOST:PORT of the replication listener of the other site's agent that holds the peer volume.")
    @Required
    @Pattern(Patterns.HOST_PORT)
    private String endpoint;

    @JsonPropertyDescription("The peer volume's name on that agent; when this side is created as Primary it must be a standard volume at least as large, not a FlashCopy base.")
    @Required
    @Pattern(Patterns.AGENT_VOLUME_NAME)
    private String volume;

    public String getSite() {
        return site;
    }

    public void setSite(String site) {
        this.site = site;
    }

    public String getEndpoint() {
        return endpoint;
    }

    public void setEndpoint(String endpoint) {
        this.endpoint = endpoint;
    }

    public String getVolume() {
        return volume;
    }

    public void setVolume(String volume) {
        this.volume = volume;
    }
}
