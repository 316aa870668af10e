package dev.copyservices.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * YAML of a message's protobuf JSON ({@code -o yaml}): the same tree, block style. A string is
 * plain where YAML would read it back as that same string, and double-quoted with JSON's escapes
 * (which YAML's double-quoted style shares) where it would not, e.g. "true", "123" (int64 fields are
 * strings in protobuf JSON) or text with ": ".
 */
final class Yaml {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z_/.][A-Za-z0-9 _./@+()-]*");
    private static final Pattern RESERVED = Pattern.compile(
            "(?i)true|false|yes|no|on|off|y|n|null|~|[-+]?(\\.inf|\\.nan)|[-+]?[0-9][0-9_.:eExXoOa-fA-F+-]*");

    private Yaml() {
    }

    static String of(String json) {
        StringBuilder yaml = new StringBuilder();
        JsonElement root = JsonParser.parseString(json);
        if (root.isJsonObject() && root.getAsJsonObject().size() > 0) {
            object(root.getAsJsonObject(), 0, yaml);
        } else {
            yaml.append(inline(root)).append('\n');
        }
        return yaml.toString().replace("\n", System.lineSeparator());
    }

    private static void object(JsonObject object, int indent, StringBuilder yaml) {
        for (Map.Entry<String, JsonElement> entry : object.entrySet()) {
            yaml.append(" ".repeat(indent)).append(scalar(entry.getKey())).append(':');
            value(entry.getValue(), indent, yaml);
        }
    }

    /** After "key:" or "-": the value inline, or on the lines below, indented. */
    private static void value(JsonElement value, int indent, StringBuilder yaml) {
        if (value.isJsonObject() && value.getAsJsonObject().size() > 0) {
            yaml.append('\n');
            object(value.getAsJsonObject(), indent + 2, yaml);
        } else if (value.isJsonArray() && value.getAsJsonArray().size() > 0) {
            yaml.append('\n');
            array(value.getAsJsonArray(), indent + 2, yaml);
        } else {
            yaml.append(' ').append(inline(value)).append('\n');
        }
    }

    private static void array(JsonArray array, int indent, StringBuilder yaml) {
        for (JsonElement item : array) {
            yaml.append(" ".repeat(indent)).append('-');
            if (item.isJsonObject() && item.getAsJsonObject().size() > 0) {
                // the first key on the dash's line, the others under it
                StringBuilder nested = new StringBuilder();
                object(item.getAsJsonObject(), indent + 2, nested);
                yaml.append(' ').append(nested.substring(indent + 2));
            } else {
                value(item, indent, yaml);
            }
        }
    }

    private static String inline(JsonElement value) {
        if (value.isJsonNull()) {
            return "null";
        }
        if (value.isJsonObject()) {
            return "{}";
        }
        if (value.isJsonArray()) {
            return "[]";
        }
        JsonPrimitive primitive = value.getAsJsonPrimitive();
        return primitive.isString() ? scalar(primitive.getAsString()) : primitive.toString();
    }

    private static String scalar(String text) {
        boolean plain = PLAIN.matcher(text).matches() && !RESERVED.matcher(text).matches() && !text.endsWith(" ")
                && !text.contains(" #");
        return plain ? text : new JsonPrimitive(text).toString();
    }
}
