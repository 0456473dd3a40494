using FastVideo.Onnx.Server.Tests.Support;
using Microsoft.Playwright;

namespace FastVideo.Onnx.Server.Tests;

/// <summary>
/// The web page in a real browser (Debian's chromium driven by Playwright; Playwright's own browsers are never
/// downloaded): submit a job, watch its progress bar reach 100 from the event stream, and see the video play. Browsers
/// play the H.264 MP4 the server writes through ffmpeg (not the Motion-JPEG AVI fallback), so the test needs ffmpeg
/// as well; without chromium or ffmpeg it is ignored on a developer machine and fails in CI, where .ci/run installs both.
/// </summary>
[NonParallelizable]
public class BrowserTests
{
    const string Chromium = "/usr/bin/chromium";

    static readonly string[] ChromiumFlags =
    {
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    };

    static bool OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => File.Exists(Path.Combine(d, name)));

    [Test]
    public async Task A_job_submitted_on_the_page_reaches_100_and_its_video_plays()
    {
        SdkTests.Require(File.Exists(Chromium), $"{Chromium} is missing (apt-get install chromium)");
        SdkTests.Require(OnPath("ffmpeg"), "ffmpeg is not on PATH (browsers play the server's H.264 MP4, written through ffmpeg)");
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");

        await using var server = await TestServer.StartAsync();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ChromiumFlags,
            Timeout = 60_000,
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1200, Height = 800 } });
        page.SetDefaultTimeout(60_000);
        var console = new List<string>();
        page.Console += (_, message) => console.Add($"{message.Type}: {message.Text}");

        await page.GotoAsync(server.Server.Address.ToString());
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#model option').length > 0");
        // Record every value the progress bars take (the attribute reflects the property the page sets).
        await page.EvaluateAsync("""
            () => {
              window.progressSeen = [];
              new MutationObserver((records) => records.forEach((r) => window.progressSeen.push(Number(r.target.getAttribute('value')))))
                .observe(document.getElementById('jobs'), { subtree: true, attributes: true, attributeFilter: ['value'] });
            }
            """);
        await page.FillAsync("#prompt", "a red fox runs through fresh snow");
        await page.FillAsync("#size", "128x128");
        await page.FillAsync("#num_frames", "9");
        await page.FillAsync("#steps", "150"); // long enough that the page sees the bar between 0 and 100
        await page.FillAsync("#seed", "5");
        await page.ClickAsync("#submit");

        await page.WaitForFunctionAsync("""
            () => { const li = document.querySelector('#jobs li'); return li && li.dataset.status === 'completed' && li.querySelector('progress').value === 100; }
            """);
        var seen = await page.EvaluateAsync<int[]>("() => window.progressSeen");
        Assert.That(seen, Does.Contain(100));
        Assert.That(seen.Any(p => p is > 0 and < 100), Is.True, $"the bar moved before the end (values: {string.Join(", ", seen)})");

        // The page plays the video it submitted when it completes.
        await page.WaitForFunctionAsync("() => { const v = document.getElementById('player'); return v.readyState >= 2 && v.currentTime > 0; }");
        double first = await page.EvaluateAsync<double>("() => document.getElementById('player').currentTime");
        await page.WaitForTimeoutAsync(400);
        double second = await page.EvaluateAsync<double>("() => document.getElementById('player').currentTime");
        var state = await page.EvaluateAsync<string>("() => { const v = document.getElementById('player'); return `${v.readyState} ${v.paused} ${v.videoWidth}x${v.videoHeight} ${v.error && v.error.message}`; }");
        Assert.That(second, Is.Not.EqualTo(first), $"currentTime advances (video: {state}; console: {string.Join(" | ", console)})");
        Assert.That(state, Does.Match("^[234] false 128x128 null$"), "decoded frames, playing, no media error");

        string shot = Path.Combine(TestContext.CurrentContext.WorkDirectory, "serve-page.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = shot, FullPage = true });
        TestContext.Out.WriteLine($"screenshot: {shot}");
    }
}
