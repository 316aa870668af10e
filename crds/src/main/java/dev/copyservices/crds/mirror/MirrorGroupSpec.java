package dev.copyservices.crds.mirror;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.copyservices.crds.common.Patterns;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!self.force || oldSelf.force || self.primarySite != oldSelf.primarySite",
        message = "force: true goes with a change of primarySite in the same edit, e.g. primarySite: site-b and force: true when site-a is gone")
@JsonClassDescription("Which RemoteMirrors, and which site should be primary.")
public class MirrorGroupSpec {
    @JsonPropertyDescription("The RemoteMirrors of this namespace that fail over together.")
    @Required
    @ValidationRule(value = "has(self.matchLabels) || has(self.matchExpressions)",
            message = "the selector must name labels: an empty selector would pick every RemoteMirror of the namespace")
    private LabelSelector selector;

    @JsonPropertyDescription("The site whose volumes should be primary. Change it to fail the whole group over (planned, with both sites up) or, with force, to take over when that site is gone.")
    @Required
    @Pattern(Patterns.SITE_NAME)
    private String primarySite;

    @JsonPropertyDescription("Make this site's members primary without the other site (it is gone or unreachable).")
    @Default("false")
    private Boolean force;

    public LabelSelector getSelector() {
        return selector;
    }

    public void setSelector(LabelSelector selector) {
        this.selector = selector;
    }

    public String getPrimarySite() {
        return primarySite;
    }

    public void setPrimarySite(String primarySite) {
        this.primarySite = primarySite;
    }

    public Boolean getForce() {
        return force;
    }

    public void setForce(Boolean force) {
        this.force = force;
    }
}
