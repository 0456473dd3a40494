namespace FastVideo.Onnx.Runtime.Execution;

/// <summary>
/// The sessions of one device whose running calls can be stopped from another thread (ONNX Runtime's terminate flag):
/// a cancellation or a dispose then does not wait for a long transformer step or VAE decode to finish. Sessions join
/// when opened and leave when disposed, under the same lock as <see cref="Terminate"/>, so a flag is never set on a
/// session that is being freed.
/// </summary>
public sealed class RunTerminator
{
    readonly HashSet<GraphSession> _sessions = new();
    bool _terminating;

    internal void Join(GraphSession session)
    {
        lock (_sessions)
        {
            _sessions.Add(session);
            if (_terminating) session.SetTerminate(true);
        }
    }

    internal void Leave(GraphSession session)
    {
        lock (_sessions) _sessions.Remove(session);
    }

    /// <summary>Makes every running call of the joined sessions, and every later one until <see cref="Resume"/>, end with <see cref="OperationCanceledException"/>.</summary>
    /// <summary>Sessions joined and not yet disposed: those open on the device.</summary>
    public int Count
    {
        get
        {
            lock (_sessions) return _sessions.Count;
        }
    }

    public void Terminate()
    {
        lock (_sessions)
        {
            _terminating = true;
            foreach (var s in _sessions) s.SetTerminate(true);
        }
    }

    /// <summary>Lets calls run again (after the cancelled request has left its last call).</summary>
    public void Resume()
    {
        lock (_sessions)
        {
            if (!_terminating) return;
            _terminating = false;
            foreach (var s in _sessions) s.SetTerminate(false);
        }
    }
}
