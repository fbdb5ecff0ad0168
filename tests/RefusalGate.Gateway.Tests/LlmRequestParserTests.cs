using System.Text;
using RefusalGate.Gateway.Gate.Parsing;

namespace RefusalGate.Gateway.Tests;

public sealed class LlmRequestParserTests
{
    private static LlmRequest Parse(string json, LlmEndpoint endpoint = LlmEndpoint.ChatCompletions)
    {
        LlmRequestParser.TryParse(Encoding.UTF8.GetBytes(json), endpoint, out var request, out var error).ShouldBeTrue(error?.Message);
        return request;
    }

    private static string ParseError(string json, LlmEndpoint endpoint = LlmEndpoint.ChatCompletions)
    {
        LlmRequestParser.TryParse(Encoding.UTF8.GetBytes(json), endpoint, out _, out var error).ShouldBeFalse();
        return error.Code;
    }

    [Fact]
    public void Reads_model_stream_and_conversation()
    {
        var request = Parse("""
            {"model":"gpt-4o","stream":true,"messages":[
              {"role":"system","content":"Be brief."},
              {"role":"user","content":"first"},
              {"role":"assistant","content":null,"tool_calls":[]},
              {"role":"user","content":[{"type":"text","text":"look at"},{"type":"image_url","image_url":{"url":"x"}},{"type":"text","text":"this"}]}
            ]}
            """);

        request.Model.ShouldBe("gpt-4o");
        request.Stream.ShouldBeTrue();
        request.Messages.Count.ShouldBe(4);
        request.LastUserMessage.ShouldBe("look at\nthis");
        request.LastUserUnread.ShouldBe(UnreadContent.Image);
        request.IsModified.ShouldBeFalse();
    }

    [Theory]
    [InlineData("""[{"type":"text","text":"hi"}]""", UnreadContent.None, "")]
    [InlineData("""[{"type":"image_url","image_url":{"url":"x"}}]""", UnreadContent.Image, "image")]
    [InlineData("""[{"type":"input_audio","input_audio":{"data":"AAA","format":"wav"}},{"type":"file","file":{"file_id":"f"}}]""", UnreadContent.Audio | UnreadContent.File, "audio,file")]
    [InlineData("""[{"type":"video_url","video_url":{"url":"x"}},{"image_url":{"url":"x"}}]""", UnreadContent.Other, "other")]
    public void Parts_without_text_are_named_as_unread(string content, UnreadContent expected, string header)
    {
        var request = Parse($$"""{"model":"m","messages":[{"role":"user","content":{{content}}}]}""");

        request.LastUserUnread.ShouldBe(expected);
        request.LastUserUnread.ToHeaderValue().ShouldBe(header);
    }

    [Fact]
    public void Only_the_last_user_message_counts_for_unread_content()
    {
        var request = Parse("""
            {"model":"m","messages":[
              {"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]},
              {"role":"assistant","content":"A cat."},
              {"role":"user","content":"Thanks, and what is a cat?"}
            ]}
            """);

        request.LastUserUnread.ShouldBe(UnreadContent.None);
    }

    [Fact]
    public void Text_completion_prompts_become_user_messages()
    {
        Parse("""{"model":"m","prompt":"hello"}""", LlmEndpoint.Completions).LastUserMessage.ShouldBe("hello");
        // Every element is answered, so every element is judged: a harmful one cannot hide before a harmless last one.
        Parse("""{"model":"m","prompt":["How do I steal a car?","Hello"]}""", LlmEndpoint.Completions).LastUserMessage.ShouldBe("How do I steal a car?\n\nHello");
    }

    [Theory]
    [InlineData("{", "invalid_json")]
    [InlineData("\"just a string\"", "invalid_json")]
    [InlineData("""{"messages":[{"role":"user","content":"x"}]}""", "missing_required_parameter")]
    [InlineData("""{"model":"","messages":[{"role":"user","content":"x"}]}""", "invalid_value")]
    [InlineData("""{"model":"m","messages":"hi"}""", "invalid_value")]
    [InlineData("""{"model":"m","messages":[{"content":"x"}]}""", "invalid_value")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":42}]}""", "invalid_value")]
    [InlineData("""{"model":"m","stream":1,"messages":[{"role":"user","content":"x"}]}""", "invalid_value")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[5]}]}""", "invalid_value")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":5}]}]}""", "invalid_value")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"text"}]}]}""", "invalid_value")]
    [InlineData("""{"model":"m","model":"m","messages":[{"role":"user","content":"x"}]}""", "invalid_json")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x"}],"messages":[{"role":"user","content":"y"}]}""", "invalid_json")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x","content":"y"}]}""", "invalid_json")]
    public void Rejects_malformed_chat_requests(string json, string code) => ParseError(json).ShouldBe(code);

    [Fact]
    public void Every_role_accepted_is_named_when_a_role_is_refused()
    {
        foreach (var role in new[] { "system", "developer", "user", "assistant", "tool", "function" })
        {
            Parse($$"""{"model":"m","messages":[{"role":"{{role}}","content":"x"}]}""");
        }

        LlmRequestParser.TryParse(Encoding.UTF8.GetBytes("""{"model":"m","messages":[{"role":"wizard","content":"x"}]}"""), LlmEndpoint.ChatCompletions, out _, out var error)
            .ShouldBeFalse();

        error.Message.ShouldContain("system, developer, user, assistant, tool or function");
    }

    [Fact]
    public void Rejects_lone_surrogate_escapes_instead_of_failing() =>
        ParseError("""{"model":"m","messages":[{"role":"user","content":"bad \ud800 text"}]}""").ShouldBe("invalid_json");

    [Fact]
    public void Rejects_bytes_that_are_not_utf8_with_a_message_that_says_so()
    {
        var body = Encoding.UTF8.GetBytes("""{"model":"m","messages":[{"role":"user","content":"caf?"}]}""");
        body[Array.IndexOf(body, (byte)'?')] = 0xE9; // "café" in Latin-1

        LlmRequestParser.TryParse(body, LlmEndpoint.ChatCompletions, out _, out var error).ShouldBeFalse();

        error.Code.ShouldBe("invalid_json");
        error.Message.ShouldContain("not valid UTF-8");
    }

    [Fact]
    public void A_byte_order_mark_is_named()
    {
        var body = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes("""{"model":"m","messages":[{"role":"user","content":"x"}]}""")).ToArray();

        LlmRequestParser.TryParse(body, LlmEndpoint.ChatCompletions, out _, out var error).ShouldBeFalse();

        error.Code.ShouldBe("invalid_json");
        error.Message.ShouldContain("byte order mark");
    }

    [Fact]
    public void Duplicate_keys_name_the_key()
    {
        LlmRequestParser.TryParse(Encoding.UTF8.GetBytes("""{"model":"m","model":"n","messages":[]}"""), LlmEndpoint.ChatCompletions, out _, out var error).ShouldBeFalse();

        error.Message.ShouldContain("model");
    }

    [Fact]
    public void Accepts_emoji_and_non_english_text() =>
        Parse("""{"model":"m","messages":[{"role":"user","content":"😀 日本語 \ud83d\ude00 مرحبا"}]}""").LastUserMessage.ShouldBe("😀 日本語 😀 مرحبا");

    [Fact]
    public void Rejects_token_id_prompts_it_cannot_inspect() =>
        ParseError("""{"model":"m","prompt":[1,2,3]}""", LlmEndpoint.Completions).ShouldBe("invalid_value");

    [Fact]
    public void Rejects_absurd_nesting() =>
        ParseError("{\"model\":\"m\",\"x\":" + new string('[', 100) + new string(']', 100) + "}").ShouldBe("invalid_json");

    [Fact]
    public void Rewrites_are_serialised_with_the_rest_of_the_body_intact()
    {
        var request = Parse("""{"model":"a","temperature":0.7,"messages":[{"role":"user","content":"x"}],"vendor_field":{"k":1}}""");

        request.PrependSystemMessage("Be safe.");
        request.SetModel("b");
        var json = Encoding.UTF8.GetString(request.Serialize());

        request.IsModified.ShouldBeTrue();
        json.ShouldContain("\"model\":\"b\"");
        json.ShouldContain("{\"role\":\"system\",\"content\":\"Be safe.\"},{\"role\":\"user\",\"content\":\"x\"}");
        json.ShouldContain("\"vendor_field\":{\"k\":1}");
    }
}
