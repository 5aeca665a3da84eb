using System.Text;
using System.Text.Json.Nodes;

namespace Orchestrator.Tests.Fuzz;

/// <summary>
/// Seeded JSON that no endpoint may accept: malformed text, deep nesting, wrong types, over-long strings, unicode edge
/// cases, internal webhook targets. Every task or registration it builds has at least one field the server must refuse,
/// so that any 2xx to one of them is a finding, never the fuzzer's luck.
/// </summary>
public sealed class HostileJson(Random random)
{
    /// <summary>Text that is not one JSON value (or not the one a body needs).</summary>
    public static readonly string[] Malformed =
    [
        "", " ", "{", "}", "[", "{\"provider\":", "{'provider':'simulator'}", "{\"a\":1,}", "[1,]", "{\"prompt\":\"unterminated}",
        "NaN", "{\"count\":NaN}", "{\"count\":Infinity}", "{\"count\":01}", "{\"count\":+1}", "{\"count\":.5}", "/* c */{}", "{}garbage",
        "{}{}", "{} {}", "null", "true", "1", "-0", "\"a string\"", "[]", "[{}]", "{\"prompt\":\"a\u0001b\"}", "\u0000", "{\"\u0000\":1}",
        "{\"prompt\" \"x\"}", "{\"prompt\":\"x\"", "{\"a\":[1,2}", "{\"a\":tru}", "{\"a\":nul}", "\ufeff\ufeff{}", "{\"a\":\"\\x41\"}",
        "{\"a\":\"\\u12\"}", "{\"a\":\"\\ud800\"}", "{\"a\":1e999999}", "{\"a\":-}", "<html>", "provider=simulator&kind=text-to-image",
    ];

    /// <summary>Literal internal targets, unusual spellings included, and URLs that are no webhook target at all.</summary>
    public static readonly string[] RefusedUrls =
    [
        "http://127.0.0.1/", "http://127.0.0.1:5080/v1/webhooks/task-secret", "http://localhost/hook", "http://LOCALHOST./x", "http://foo.localhost/",
        "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://[0:0:0:0:0:ffff:7f00:1]/", "http://2130706433/", "http://0x7f000001/",
        "http://0177.0.0.1/", "http://127.1/", "http://0/", "http://0.0.0.0/", "http://[::]/", "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/", "http://[fd00::1]/", "http://10.0.0.1/", "http://172.16.0.1/", "http://192.168.1.1/", "http://100.64.0.1/",
        "http://224.0.0.1/", "http://255.255.255.255/", "http://[64:ff9b::7f00:1]/", "http://[::127.0.0.1]/",
        "file:///etc/passwd", "ftp://example.com/", "gopher://127.0.0.1:6379/_INFO", "javascript:alert(1)", "//example.com/x", "/relative",
        "http://user:pw@example.com/", "https://example.com/#frag", "http://", "", " ", "https://example.com/" + new string('a', 2000),
        "http://[::1", "http://exa mple.com/", "ws://example.com/", "data:text/plain,hi",
    ];

    /// <summary>Strings that test a decoder more than a validator.</summary>
    public static readonly string[] Unicode =
    [
        "\\ud800", "\\udfff", "\\udc00\\ud800", "\\u0000", "a\\u0000b", "\u202ekcatta\u202c", "\u200b\u200c\u200d\u2060", "\ufeff", "🐛🐛🐛",
        "e" + string.Concat(Enumerable.Repeat("\u0301", 5000)), "ｓｉｍｕｌａｔｏｒ", "ѕimulator", "İı", "\ud83d\ude00", "\\u00e9", "\u0085\u2028\u2029",
        "\uffff\ufffe", "%00", "%ud800", "' OR 1=1 --", "\"; DROP TABLE journal; --", "${jndi:ldap://x}", "{{7*7}}", "<script>alert(1)</script>",
    ];

    private static readonly string[] TaskFields =
    [
        "provider", "kind", "model", "prompt", "negativePrompt", "aspectRatio", "resolution", "count", "outputFormat", "durationSeconds",
        "mode", "cfgScale", "cameraControl", "imageUrl", "idempotencyKey", "metadata", "deadlineSeconds", "webhookUrl",
    ];

    private static readonly string[] UnknownNames =
    [
        "aspect_ratio", "Prompt", "PROVIDER", "prоmpt", "__proto__", "constructor", "$type", "$ref", "", "\u0000", "provider ", " kind",
        "negative_prompt", "callback_url", "n", "image", "tenant", "id", "status",
    ];

    private T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

    /// <summary>A text-to-image task the server would accept.</summary>
    public static JsonObject ValidTask() => new()
    {
        ["provider"] = "simulator", ["kind"] = "text-to-image", ["model"] = "kling-v1-5", ["prompt"] = "a cat",
    };

    /// <summary>Bytes of one of the <see cref="Malformed"/> texts, a truncated or byte-flipped task, or random bytes.</summary>
    public byte[] MalformedBody()
    {
        switch (random.Next(5))
        {
            case 0:
                var task = Encoding.UTF8.GetBytes(Text(ValidTask()));
                return task[..random.Next(1, task.Length - 1)];
            case 1:
                // A control character is invalid anywhere in JSON, inside a string or out: the task can never be read.
                var flipped = Encoding.UTF8.GetBytes(Text(Broken(small: true)));
                flipped[random.Next(flipped.Length)] = (byte)random.Next(1, 9);
                return flipped;
            case 2:
                var noise = new byte[random.Next(1, 4096)];
                random.NextBytes(noise);
                return noise;
            case 3:
                // Raw bytes that are not UTF-8 inside a string, a property name or between tokens.
                byte[][] invalid = [[0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0x80], [0xE2, 0x82]];
                var bad = Pick(invalid);
                return Pick<Func<byte[]>>([
                    () => [.. "{\"provider\":\"simulator\",\"prompt\":\""u8, .. bad, .. "\"}"u8],
                    () => [.. "{\""u8, .. bad, .. "\":\"x\",\"provider\":\"\"}"u8],
                    () => [.. "{\"metadata\":{\""u8, .. bad, .. "\":\"x\"},\"provider\":\"\"}"u8],
                    () => [.. "{\"url\":\"https://example.com/"u8, .. bad, .. "\",\"events\":[\"no\"]}"u8],
                    () => [.. "{"u8, .. bad, .. "}"u8],
                ])();
            default:
                return Encoding.UTF8.GetBytes(Pick(Malformed));
        }
    }

    /// <summary>Arrays or objects nested past any parser's default depth, bare or inside a field.</summary>
    public string DeeplyNested()
    {
        var depth = Pick([65, 200, 1000, 10_000, 100_000]);
        var array = random.Next(2) == 0;
        var closed = random.Next(4) != 0;
        var sb = new StringBuilder();
        for (var i = 0; i < depth; i++) sb.Append(array ? "[" : "{\"a\":");
        sb.Append('1');
        if (closed) for (var i = 0; i < depth; i++) sb.Append(array ? ']' : '}');
        var nested = sb.ToString();
        return random.Next(3) switch
        {
            0 => nested,
            1 => $"{{\"provider\":\"simulator\",\"kind\":\"text-to-image\",\"model\":\"kling-v1-5\",\"prompt\":\"x\",\"{Pick(TaskFields)}\":{nested}}}",
            _ => $"{{\"url\":{nested},\"events\":[\"*\"]}}",
        };
    }

    /// <summary>A task with at least one field the server must refuse (and sometimes several).</summary>
    public JsonObject Broken(bool small = false)
    {
        var task = ValidTask();
        for (var n = 1 + random.Next(3); n > 0; n--) Break(task, small);
        return task;
    }

    /// <summary>Applies one mutation that makes <paramref name="task"/> invalid; <paramref name="small"/> keeps over-long values near their limit.</summary>
    public void Break(JsonObject task, bool small = false)
    {
        switch (random.Next(7))
        {
            case 0: // wrong JSON type
                var field = Pick(TaskFields);
                task[field] = WrongValueFor(field);
                break;
            case 1: // a name the API does not have
                task[Pick(UnknownNames)] = "x";
                break;
            case 2:
                TooLong(task, small);
                break;
            case 3: // a value outside the rules
                Pick<Action>([
                    () => task["provider"] = Pick(["", "   ", "sim", "simulator\u0000", "simulator ", "ѕimulator", "ｓｉｍｕｌａｔｏｒ", "nobody"]),
                    () => task["kind"] = Pick(["", "text-to-image\u200b", "text_to_image", "image", "text-to-audio"]),
                    () => task["model"] = Pick(["", "kling-v1-5\u0301", "kling-v99", "KLING-V1-5 "]),
                    () => task["deadlineSeconds"] = Pick([0, 9, -1, int.MaxValue, int.MinValue, 604_801]),
                    () => task["count"] = Pick([0, -1, 10, int.MaxValue, int.MinValue]),
                    () => task["aspectRatio"] = Pick(["1:1\u0000", "0:0", "16/9", ""]),
                    () => task["resolution"] = "8k",
                    () => task["outputFormat"] = Pick(["gif", ""]),
                    () => task["durationSeconds"] = Pick([5, 10, -5]),
                    () => task["mode"] = "pro",
                    () => task["cfgScale"] = Pick([0.5, -1.0, 1e300]),
                    () => task["cameraControl"] = new JsonObject { ["type"] = "simple", ["config"] = new JsonObject { ["zoom"] = 5 } },
                    () => task["imageUrl"] = Pick(["not a url", "ftp://example.com/a.png", "/a.png"]),
                ])();
                break;
            case 4:
                task["webhookUrl"] = Pick(RefusedUrls);
                break;
            case 5: // unicode that must still be judged, with one value that is wrong anyway
                task[Pick(["prompt", "negativePrompt", "idempotencyKey"])] = UnicodeValue();
                task["deadlineSeconds"] = 1;
                break;
            default:
                task["metadata"] = Pick<Func<JsonObject>>([
                    () => Entries(33 + random.Next(small ? 10 : 2000), i => ($"k{i}", "v")),
                    () => Entries(1, _ => (new string('k', 65 + random.Next(small ? 10 : 5000)), "v")),
                    () => Entries(1, _ => ("", "v")),
                    () => Entries(1, _ => ("k", new string('v', 513 + random.Next(small ? 10 : 20_000)))),
                    () => new JsonObject { ["k"] = null },
                ])();
                break;
        }
    }

    /// <summary>A value of a JSON type the field does not take (null is no such value: every field may be null).</summary>
    private JsonNode? WrongValueFor(string field) => field switch
    {
        "count" or "durationSeconds" or "deadlineSeconds" =>
            Pick<JsonNode?>([1.5, 99_999_999_999, JsonNode.Parse("1e400"), JsonNode.Parse("1e3"), "2", "", true, new JsonArray(), new JsonObject()]),
        "cfgScale" => Pick<JsonNode?>(["0.5", true, new JsonArray(), new JsonObject()]),
        "metadata" => Pick<JsonNode?>([new JsonObject { ["a"] = 1 }, new JsonObject { ["a"] = new JsonObject() }, new JsonArray(), "x", 5]),
        "cameraControl" => Pick<JsonNode?>([5, "simple", new JsonArray(), new JsonObject { ["type"] = 5 }]),
        _ => Pick<JsonNode?>([42, -1, 1.5, true, false, new JsonArray(), new JsonObject(), new JsonArray("a", "b"), new JsonObject { ["a"] = 1 }]),
    };

    /// <summary>One of <see cref="Unicode"/> as a JSON string (entries with a backslash are JSON escapes, such as a lone surrogate).</summary>
    public JsonNode UnicodeValue(string prefix = "")
    {
        var i = random.Next(Unicode.Length);
        // An escape such as a lone surrogate cannot live in a JsonNode: a marker stands for it until Text writes it.
        return JsonValue.Create(prefix + (Unicode[i].Contains('\\') ? $"@@u{i}@@" : Unicode[i]));
    }

    /// <summary>The node as JSON text, the markers of <see cref="UnicodeValue"/> replaced by their escapes.</summary>
    public static string Text(JsonNode node) =>
        System.Text.RegularExpressions.Regex.Replace(node.ToJsonString(), "@@u([0-9]+)@@", m => Unicode[int.Parse(m.Groups[1].Value)]);

    private void TooLong(JsonObject task, bool small)
    {
        var (field, limit) = Pick([("prompt", 2500), ("negativePrompt", 2500), ("model", 100), ("idempotencyKey", 200), ("imageUrl", 2000)]);
        var extra = 1 + random.Next(small ? 100 : Pick([10, 1000, 100_000, 900_000]));
        var text = field == "imageUrl" ? "https://example.com/" + new string('a', limit + extra) : new string(Pick(['x', 'é', '中', '\u0301']), limit + extra);
        task[field] = text;
    }

    private static JsonObject Entries(int n, Func<int, (string Key, string Value)> entry)
    {
        var o = new JsonObject();
        for (var i = 0; i < n; i++)
        {
            var (k, v) = entry(i);
            o[k] = v;
        }
        return o;
    }

    /// <summary>A webhook registration with at least one thing the server must refuse.</summary>
    public string BrokenRegistration()
    {
        var o = new JsonObject { ["url"] = "https://hooks.example.com/x" };
        switch (random.Next(6))
        {
            case 0: o["url"] = Pick(RefusedUrls); break;
            case 1: o["events"] = new JsonArray(Pick<JsonNode?>(["task.done", "", "TASK.SUCCEEDED", "task.succeeded\u0000", 5, null])); break;
            case 2: o["secret"] = Pick(["", "whsec_", "whsec_!!!", "whsec_" + Convert.ToBase64String(new byte[4]), "sk-" + new string('a', 40), new string('s', 100_000)]); break;
            case 3: o[Pick(UnknownNames)] = "x"; break;
            case 4: o[Pick(["url", "events", "secret"])] = Pick<JsonNode?>([42, true, 1.5, new JsonObject(), new JsonArray(1)]); break;
            default: o["url"] = UnicodeValue("https://example.com/"); o["events"] = new JsonArray("nope"); break;
        }
        return Text(o);
    }

    /// <summary>JSON Lines or a JSON array in which no line is a valid task, so the upload must leave nothing behind.</summary>
    public (string ContentType, byte[] Body) BrokenBatch()
    {
        var lines = new List<string>();
        // Up to 2,000 lines of a few hundred bytes: the line and size limits have scenarios of their own.
        for (var n = 1 + random.Next(Pick([3, 50, 2000])); n > 0; n--)
            lines.Add(random.Next(6) switch
            {
                0 => Pick(["{}", "x", "[]", "null", "1", "\"task\"", "{\"provider\":\"simulator\"}"]),
                1 => Encoding.UTF8.GetString(MalformedBody()).Replace('\n', ' ').Replace('\r', ' '),
                2 when random.Next(20) == 0 => DeeplyNested(),
                _ => Text(Broken(small: true)),
            });
        var array = random.Next(4) == 0;
        if (array) return (Pick(["application/json", "application/json; charset=utf-8"]), Encoding.UTF8.GetBytes(Pick([
            "[" + string.Join(",", lines) + "]", "[" + string.Join(",", lines), "{\"tasks\":[" + string.Join(",", lines) + "]}", string.Join(",", lines),
        ])));
        var separator = Pick(["\n", "\r\n", "\n\n", "\n \n"]);
        // Two values on the first line: a body whose newlines were lost, refused whole.
        if (random.Next(10) == 0) lines[0] = "{} {}";
        return (Pick(["application/x-ndjson", "application/jsonl", "application/json-lines"]), Encoding.UTF8.GetBytes(string.Join(separator, lines)));
    }
}
