/**
 * The Kubernetes API of copyservices: group {@code copyservices.dev}, version {@code v1alpha1}.
 *
 * <p>The CRD YAML committed beside this module's pom is generated from these classes by the Fabric8
 * CRD generator; {@code bin/update-crds} regenerates it and the build fails when the two disagree.
 * Schema rules that a user can break are here as annotations (enums, ranges, patterns, CEL rules) so
 * that the API server, not the operator's log, tells the user what is wrong.
 */
package dev.copyservices.crds;
