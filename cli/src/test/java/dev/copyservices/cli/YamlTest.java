package dev.copyservices.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

/** {@code -o yaml}: a YAML parser must read back exactly the tree of the protobuf JSON. */
class YamlTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static void roundTrips(String json) throws Exception {
        String yaml = Yaml.of(json);
        JsonNode expected = JSON.readTree(json);
        assertEquals(expected, YAML.readTree(yaml), "YAML:\n" + yaml);
    }

    @Test
    void stringsThatYamlWouldReadAsSomethingElseAreQuoted() throws Exception {
        roundTrips("{\"a\": \"true\", \"b\": \"123\", \"c\": \"1.5\", \"d\": \"null\", \"e\": \"~\", \"f\": \"yes\","
                + " \"g\": \"\", \"h\": \" lead\", \"i\": \"trail \", \"j\": \"a: b\", \"k\": \"x #y\","
                + " \"l\": \"two\\nlines\", \"m\": \"say \\\"hi\\\"\", \"n\": \"-dash\", \"o\": \"caf\\u00e9\","
                + " \"p\": \"0x1F\", \"q\": \"1e5\", \"r\": \"[x]\", \"s\": \"{y}\", \"t\": \"*ref\", \"u\": \"&anchor\","
                + " \"v\": \"!tag\", \"w\": \"%dir\", \"x\": \"@at\", \"y\": \"back\\\\slash\", \"z\": \"tab\\there\"}");
    }

    @Test
    void mapKeysAreQuotedLikeValues() throws Exception {
        roundTrips("{\"labels\": {\"copyservices.dev/site\": \"a\", \"true\": \"1\", \"with space\": \"x\", \"a: b\": \"c\"}}");
    }

    @Test
    void nestingEmptyContainersNumbersAndBooleansKeepTheirShape() throws Exception {
        roundTrips("{\"volumes\": [{\"name\": \"db\", \"sizeBytes\": \"1073741824\", \"readOnly\": false,"
                + " \"attributes\": {}, \"attachments\": [{\"host\": \"n1\", \"addresses\": [\"10.0.0.1\", \"::1\"]}]},"
                + " {\"name\": \"web\", \"attachments\": []}], \"ratio\": 0.5, \"count\": 3, \"none\": null,"
                + " \"matrix\": [[1, 2], [], [{\"a\": 1}]], \"empty\": []}");
        roundTrips("{}");
    }

    @Test
    void aProtobufMessagePrintsAsTheYamlOfItsJson() throws Exception {
        var array = dev.copyservices.api.agent.v1.Array.newBuilder().setName("site-a: main").setSite("site-a")
                .addNeedsAttention("VolumeCopy \"db-copy\" failed").build();
        roundTrips(Output.toJson(array));
    }
}
