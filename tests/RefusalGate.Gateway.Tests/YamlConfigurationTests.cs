using Microsoft.Extensions.Configuration;
using RefusalGate.Gateway.Configuration;

namespace RefusalGate.Gateway.Tests;

public sealed class YamlConfigurationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("refusalgate-yaml-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string yaml)
    {
        var path = Path.Combine(_directory, "gateway.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    [Fact]
    public void Binds_yaml_to_gateway_options()
    {
        var configuration = new ConfigurationBuilder().AddYamlFile(Write("""
            gateway:
              maxRequestBodyBytes: 2048
              upstreams:
                openai:
                  baseUrl: https://api.openai.com/v1
                  models: [gpt-*, o1*]
                  apiKeyEnvironmentVariable: OPENAI_API_KEY
                  timeout: 00:00:30
              modelAccess:
                deny:
                  - gpt-3.5-*
            """)).Build();

        var options = configuration.GetSection("Gateway").Get<GatewayOptions>()!;

        options.MaxRequestBodyBytes.ShouldBe(2048);
        var openai = options.Upstreams["openai"];
        openai.BaseUrl.ShouldBe("https://api.openai.com/v1");
        openai.Models.ShouldBe(["gpt-*", "o1*"]);
        openai.Timeout.ShouldBe(TimeSpan.FromSeconds(30));
        options.ModelAccess.Deny.ShouldBe(["gpt-3.5-*"]);
    }

    [Fact]
    public void Invalid_yaml_names_the_file_line_and_column()
    {
        var path = Write("gateway:\n  maxRequestBodyBytes: 1\n bad-indent: 2\n");

        var ex = Should.Throw<InvalidDataException>(() => new ConfigurationBuilder().AddYamlFile(path).Build());

        var detail = ex.InnerException.ShouldBeOfType<FormatException>().Message;
        detail.ShouldStartWith($"{path}:");
        detail.ShouldMatch(@":3:\d+: ");
    }

    [Fact]
    public void Unclosed_flow_sequence_is_a_format_error_naming_the_file()
    {
        var path = Write("gateway:\n  upstreams: [unclosed\n  other: 1\n");

        var ex = Should.Throw<InvalidDataException>(() => new ConfigurationBuilder().AddYamlFile(path).Build());

        ex.InnerException.ShouldBeOfType<FormatException>().Message.ShouldStartWith($"{path}:");
    }
}
