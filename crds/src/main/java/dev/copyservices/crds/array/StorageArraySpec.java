package dev.copyservices.crds.array;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.copyservices.crds.common.Patterns;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonClassDescription("How to reach the agent and which features it may use.")
public class StorageArraySpec {
    @JsonPropertyDescription("HOST:PORT of the agent's gRPC control API.")
    @Required
    @Pattern(Patterns.HOST_PORT)
    private String endpoint;

    @JsonPropertyDescription("The site (cluster) the array belongs to, as the agent reports it; a DNS label.")
    @Pattern(Patterns.SITE_NAME)
    private String site;

    @JsonPropertyDescription("HOST:PORT of the agent's replication listener, the endpoint the other site's agents reach for mirroring.")
    @Pattern(Patterns.HOST_PORT)
    private String replicationEndpoint;

    @JsonPropertyDescription("Features this array must offer. Ready turns False (FeatureDisabled) while the agent has one of them turned off with its --disable-feature flag. Empty expects none.")
    @Size(max = 3)
    @ValidationRule(value = "self.all(f, self.exists_one(g, g == f))", message = "list each feature once")
    private List<Feature> features = new ArrayList<>();

    public String getEndpoint() {
        return endpoint;
    }

    public void setEndpoint(String endpoint) {
        this.endpoint = endpoint;
    }

    public String getSite() {
        return site;
    }

    public void setSite(String site) {
        this.site = site;
    }

    public String getReplicationEndpoint() {
        return replicationEndpoint;
    }

    public void setReplicationEndpoint(String replicationEndpoint) {
        this.replicationEndpoint = replicationEndpoint;
    }

    public List<Feature> getFeatures() {
        return features;
    }

    public void setFeatures(List<Feature> features) {
        this.features = features;
    }
}
