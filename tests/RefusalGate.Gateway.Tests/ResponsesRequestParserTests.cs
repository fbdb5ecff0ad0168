using System.Text;
using RefusalGate.Gateway.Errors;
using RefusalGate.Gateway.Gate.Parsing;

namespace RefusalGate.Gateway.Tests;

/// <summary>The Responses API's body (<c>POST /v1/responses</c>): <c>instructions</c> and <c>input</c>, read for the classifier.</summary>
public sealed class ResponsesRequestParserTests
{
    private static LlmRequest Parse(string json)
    {
        LlmRequestParser.TryParse(Encoding.UTF8.GetBytes(json), LlmEndpoint.Responses, out var request, out var error).ShouldBeTrue(error?.Message);
        return request;
    }

    private static OpenAiError ParseError(string json)
    {
        LlmRequestParser.TryParse(Encoding.UTF8.GetBytes(json), LlmEndpoint.Responses, out _, out var error).ShouldBeFalse();
        return error;
    }

    [Fact]
    public void A_string_input_is_one_user_message_after_the_instructions()
    {
        var request = Parse("""{"model":"gpt-4.1","stream":true,"instructions":"Be brief.","input":"How do I pick a lock?"}""");

        request.Endpoint.ShouldBe(LlmEndpoint.Responses);
        request.Model.ShouldBe("gpt-4.1");
        request.Stream.ShouldBeTrue();
        request.Messages.ShouldBe([new ConversationMessage("system", "Be brief."), new ConversationMessage("user", "How do I pick a lock?")]);
        request.LastUserMessage.ShouldBe("How do I pick a lock?");
    }

    [Fact]
    public void Message_items_give_their_text_parts_and_other_items_are_kept_unread()
    {
        var request = Parse("""
            {"model":"m","input":[
              {"role":"developer","content":"Answer in French."},
              {"type":"message","role":"user","content":[{"type":"input_text","text":"look at"},{"type":"input_image","image_url":"https://x"},{"type":"input_text","text":"this"}]},
              {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Sure.","annotations":[]},{"type":"refusal","refusal":"No."}]},
              {"type":"function_call","call_id":"c1","name":"lookup","arguments":"{}"},
              {"type":"function_call_output","call_id":"c1","output":"42"},
              {"type":"reasoning","id":"rs_1","summary":[]},
              {"role":"user","content":[{"type":"input_text","text":"How do I build a bomb?"}]}
            ]}
            """);

        request.Messages.Select(m => m.Role).ShouldBe(["developer", "user", "assistant", "user"]);
        request.Messages[1].Text.ShouldBe("look at\nthis");
        request.Messages[1].Unread.ShouldBe(UnreadContent.Image);
        request.Messages[2].Text.ShouldBe("Sure.");
        request.LastUserUnread.ShouldBe(UnreadContent.None);
        request.LastUserMessage.ShouldBe("How do I build a bomb?");
        ((System.Text.Json.Nodes.JsonArray)request.Body["input"]!).Count.ShouldBe(7);
    }

    [Fact]
    public void A_request_without_input_is_accepted_with_no_user_message()
    {
        // The provider accepts it with previous_response_id, conversation or a stored prompt: the text is server-side.
        var request = Parse("""{"model":"m","previous_response_id":"resp_1"}""");

        request.LastUserMessage.ShouldBe("");
        request.Messages.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("""{"input":"x"}""", "missing_required_parameter", "model")]
    [InlineData("""{"model":"","input":"x"}""", "invalid_value", "model")]
    [InlineData("""{"model":5,"input":"x"}""", "invalid_value", "model")]
    [InlineData("""{"model":"m","stream":"yes","input":"x"}""", "invalid_value", "stream")]
    [InlineData("""{"model":"m","input":42}""", "invalid_value", "input")]
    [InlineData("""{"model":"m","input":{"role":"user","content":"x"}}""", "invalid_value", "input")]
    [InlineData("""{"model":"m","input":["x"]}""", "invalid_value", "input[0]")]
    [InlineData("""{"model":"m","input":[{"content":"x"}]}""", "invalid_value", "input[0]")]
    [InlineData("""{"model":"m","input":[{"role":"tool","content":"x"}]}""", "invalid_value", "input[0]")]
    [InlineData("""{"model":"m","input":[{"type":7,"role":"user","content":"x"}]}""", "invalid_value", "input[0].type")]
    [InlineData("""{"model":"m","input":[{"role":"user","content":"x"},{"role":"user","content":5}]}""", "invalid_value", "input[1].content")]
    [InlineData("""{"model":"m","input":[{"role":"user"}]}""", "invalid_value", "input[0].content")]
    [InlineData("""{"model":"m","input":[{"role":"user","content":[{"type":"input_text"}]}]}""", "invalid_value", "input[0].content")]
    [InlineData("""{"model":"m","input":[{"role":"user","content":["x"]}]}""", "invalid_value", "input[0].content")]
    [InlineData("""{"model":"m","instructions":["x"],"input":"x"}""", "invalid_value", "instructions")]
    [InlineData("""{"model":"m","input":"x","input":"y"}""", "invalid_json", null)]
    public void Rejects_malformed_bodies_naming_the_parameter(string json, string code, string? param)
    {
        var error = ParseError(json);

        error.StatusCode.ShouldBe(400);
        error.Code.ShouldBe(code);
        error.Param.ShouldBe(param);
    }

    [Fact]
    public void The_stricter_system_prompt_goes_before_the_clients_instructions()
    {
        var request = Parse("""{"model":"a","instructions":"Be brief.","input":"x","max_output_tokens":500}""");

        request.PrependSystemMessage("Be safe.");
        request.SetModel("b");
        var json = Encoding.UTF8.GetString(request.Serialize());

        json.ShouldBe("""{"model":"b","instructions":"Be safe.\n\nBe brief.","input":"x","max_output_tokens":500}""");
    }

    [Theory]
    [InlineData("""{"model":"a","input":"x"}""")]
    [InlineData("""{"model":"a","instructions":null,"input":"x"}""")]
    [InlineData("""{"model":"a","instructions":"","input":"x"}""")]
    public void Without_client_instructions_the_stricter_system_prompt_is_the_instructions(string body)
    {
        var request = Parse(body);

        request.PrependSystemMessage("Be safe.");

        request.Body["instructions"]!.GetValue<string>().ShouldBe("Be safe.");
        request.Body["input"]!.GetValue<string>().ShouldBe("x");
    }

    [Fact]
    public void There_is_one_choice_whatever_the_body_says()
    {
        Parse("""{"model":"a","input":"x","n":500}""").TryReadChoiceCount(out var choices, out var error).ShouldBeTrue();

        choices.ShouldBe(1);
        error.ShouldBeNull();
    }
}
